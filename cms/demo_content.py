"""Demo content written for this project (Vietnamese). Loaded by `load_demo_data`.

National hotlines are real and the only ones listed: 111 (Tổng đài điện thoại quốc gia bảo vệ trẻ em,
https://tongdai111.vn), 113 (police) and 115 (medical emergency), Vietnam's public emergency numbers.
Local entries are sample data: their numbers are deliberately fake (024 0000 ….).
"""

HOME_INTRO = (
    "<p>Bạo lực trên cơ sở giới không phải chuyện riêng của ai. Hãy nhận diện, lên tiếng và tìm trợ giúp: "
    "mỗi người dân, mỗi cán bộ đều có thể góp phần chấm dứt bạo lực.</p>"
)

PROGRAMME_INTRO = (
    "<p>Kế hoạch số 106/KH-UBND ngày 19 tháng 4 năm 2021 của Ủy ban nhân dân thành phố Hà Nội thực hiện "
    "Chương trình phòng ngừa và ứng phó với bạo lực trên cơ sở giới giai đoạn 2021–2025. Kế hoạch gồm bảy "
    "nhóm nội dung, từ truyền thông nâng cao nhận thức đến tập huấn cán bộ, tiếp nhận tin báo và hỗ trợ "
    "người bị bạo lực.</p>"
)

PROGRAMME_TARGETS = {
    "title": "Mục tiêu đến năm 2025",
    "figures": [
        {
            "value": "50%",
            "label": "người bị bạo lực trên cơ sở giới tìm đến ít nhất một cơ sở cung cấp dịch vụ hỗ trợ",
            "source": "Kế hoạch 106/KH-UBND",
        },
        {"value": "100%", "label": "người bị bạo lực có nhu cầu được hỗ trợ", "source": "Kế hoạch 106/KH-UBND"},
    ],
}

# (area, summary, link target key in the demo tree; None: the site has no page for that area's work)
PROGRAMME_AREAS = [
    (
        1,
        "Truyền thông, vận động, giáo dục nâng cao nhận thức và trách nhiệm của cộng đồng, gia đình và cá nhân.",
        "campaigns",
    ),
    (2, "Duy trì, nhân rộng và nâng cao chất lượng các mô hình, cơ sở cung cấp dịch vụ phòng ngừa, ứng phó.", "help"),
    (
        3,
        "Đào tạo, tập huấn nâng cao năng lực cho cán bộ, công chức, viên chức, người lao động và cộng tác viên.",
        "catalogue",  # the course catalogue: courses/demo.py links it (cms cannot name courses' pages)
    ),
    (4, "Tiếp nhận, xác minh tin báo; bảo vệ, hỗ trợ người bị bạo lực; xử lý người có hành vi bạo lực.", "help"),
    (5, "Huy động nguồn lực trong nước và quốc tế, hỗ trợ kỹ thuật cho công tác phòng ngừa, ứng phó.", None),
    (6, "Kiểm tra, giám sát việc thực hiện kế hoạch tại các sở, ngành và địa phương.", None),
    (7, "Sơ kết, tổng kết, đánh giá; nhân rộng điển hình tốt; khen thưởng tập thể, cá nhân có thành tích.", "articles"),
]

CAMPAIGNS = [
    {
        "slug": "thang-hanh-dong-2026",
        "title": "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới năm 2026",
        "theme": "Chung tay chấm dứt bạo lực trên cơ sở giới",
        "start": (11, 15),
        "end": (12, 15),
        "year_offset": 0,
        "goals": "<ul><li>Nâng cao nhận thức của người dân về các hình thức bạo lực trên cơ sở giới.</li>"
        "<li>Giới thiệu các địa chỉ tin cậy để người bị bạo lực tìm đến.</li>"
        "<li>Khuyến khích cán bộ cơ sở tham gia khóa học trực tuyến.</li></ul>",
        "activities": "<ul><li>Lễ ra quân tại các phường, xã.</li><li>Treo áp phích, phát tờ rơi tại trạm y tế, "
        "trường học, nhà văn hóa.</li><li>Đối thoại với thanh niên về tình yêu an toàn.</li></ul>",
    },
    {
        "slug": "thang-hanh-dong-2025",
        "title": "Tháng hành động vì bình đẳng giới và phòng ngừa, ứng phó với bạo lực trên cơ sở giới năm 2025",
        "theme": "Gia đình bình an, không bạo lực",
        "start": (11, 15),
        "end": (12, 15),
        "year_offset": -1,
        "goals": "<p>Đưa thông tin về Luật Phòng, chống bạo lực gia đình năm 2022 đến từng khu dân cư.</p>",
        "activities": "<p>Hội thi tìm hiểu pháp luật; tọa đàm tại các trường trung học phổ thông.</p>",
    },
]

# (slug, title, days ago, area, tags, summary, paragraphs)
ARTICLES = [
    (
        "ra-quan-thang-hanh-dong-2026",
        "Các phường, xã đồng loạt ra quân hưởng ứng Tháng hành động",
        10,
        1,
        ["thang-hanh-dong", "truyen-thong"],
        "Hàng nghìn người dân tham gia lễ ra quân tại các phường, xã trên địa bàn thành phố.",
        [
            "Sáng 15 tháng 11, các phường, xã đồng loạt tổ chức lễ ra quân hưởng ứng Tháng hành động vì bình đẳng giới và "
            "phòng ngừa, ứng phó với bạo lực trên cơ sở giới.",
            "Tại buổi lễ, đại diện Hội Liên hiệp Phụ nữ nhắc lại các số điện thoại cần nhớ: 111 khi trẻ em bị xâm hại, "
            "113 khi cần công an can thiệp và 115 khi cần cấp cứu.",
        ],
    ),
    (
        "tap-huan-can-bo-tiep-nhan-tin-bao",
        "Tập huấn kỹ năng tiếp nhận tin báo cho cán bộ cơ sở",
        20,
        3,
        ["tap-huan", "can-bo"],
        "Cán bộ văn hóa - xã hội, công an và y tế cơ sở học cách tiếp nhận, xác minh và chuyển gửi an toàn.",
        [
            "Khóa tập huấn tập trung vào kỹ năng lắng nghe, không đổ lỗi cho người bị bạo lực và giữ bí mật thông tin.",
            "Học viên thực hành tình huống chuyển gửi người bị bạo lực đến cơ sở y tế và nhà tạm lánh.",
        ],
    ),
    (
        "luat-phong-chong-bao-luc-gia-dinh-2022",
        "Những điểm mới của Luật Phòng, chống bạo lực gia đình năm 2022",
        35,
        1,
        ["phap-luat"],
        "Luật có hiệu lực từ ngày 1 tháng 7 năm 2023, bổ sung nhiều hành vi bạo lực gia đình bị nghiêm cấm.",
        [
            "Luật Phòng, chống bạo lực gia đình năm 2022 mở rộng các hành vi bạo lực, trong đó có hành vi cưỡng ép "
            "thực hiện hành vi quan hệ tình dục và cô lập, giam cầm thành viên gia đình.",
            "Luật cũng quy định rõ trách nhiệm của cơ quan, tổ chức, cá nhân trong việc tiếp nhận tin báo và hỗ trợ người bị bạo lực.",
        ],
    ),
    (
        "mo-hinh-dia-chi-tin-cay",
        "Nhân rộng mô hình địa chỉ tin cậy tại cộng đồng",
        50,
        2,
        ["mo-hinh"],
        "Các địa chỉ tin cậy giúp người bị bạo lực có nơi tạm lánh an toàn trong thời gian ngắn.",
        [
            "Địa chỉ tin cậy là gia đình, cá nhân hoặc cơ sở có uy tín trong cộng đồng, sẵn sàng tiếp nhận người bị bạo lực.",
            "Trong năm, nhiều phường, xã đã bổ sung địa chỉ tin cậy và niêm yết công khai số điện thoại liên hệ.",
        ],
    ),
    (
        "doi-thoai-thanh-nien-tinh-yeu-an-toan",
        "Đối thoại với thanh niên: tình yêu an toàn, không bạo lực",
        65,
        1,
        ["thanh-nien", "truyen-thong"],
        "Học sinh, sinh viên cùng trao đổi về kiểm soát, ghen tuông và bạo lực trong tình yêu.",
        [
            "Nhiều bạn trẻ chưa nhận ra kiểm soát điện thoại hay cấm gặp bạn bè cũng là dấu hiệu của bạo lực.",
            "Chuyên gia khuyên các bạn tin vào cảm nhận của mình và tìm người đáng tin cậy để chia sẻ.",
        ],
    ),
    (
        "so-ket-ke-hoach-106",
        "Sơ kết thực hiện Kế hoạch 106/KH-UBND",
        90,
        7,
        ["so-ket"],
        "Hội nghị đánh giá kết quả, biểu dương các tập thể, cá nhân có thành tích.",
        [
            "Hội nghị đánh giá kết quả thực hiện bảy nhóm nội dung của kế hoạch và chỉ ra những việc cần làm tiếp.",
            "Nhiều đơn vị được biểu dương vì cách làm sáng tạo trong truyền thông và hỗ trợ người bị bạo lực.",
        ],
    ),
]

# (slug, title, type, audience, language, summary, file kind: "pdf" or "png", colour)
MATERIALS = [
    (
        "to-roi-nhan-dien-bao-luc",
        "Tờ rơi: Nhận diện bạo lực trên cơ sở giới",
        "leaflet",
        "everyone",
        "vi",
        "Năm hình thức bạo lực: thể chất, tinh thần, tình dục, kinh tế và kiểm soát.",
        "pdf",
        (91, 42, 134),
    ),
    (
        "to-roi-so-dien-thoai-can-nho",
        "Tờ rơi: Các số điện thoại cần nhớ",
        "leaflet",
        "everyone",
        "vi",
        "111, 113, 115 và các địa chỉ hỗ trợ tại phường, xã.",
        "pdf",
        (179, 38, 30),
    ),
    (
        "ap-phich-thang-hanh-dong",
        "Áp phích Tháng hành động 2026",
        "poster",
        "everyone",
        "vi",
        "Áp phích treo tại nhà văn hóa, trạm y tế, trường học.",
        "png",
        (62, 27, 94),
    ),
    (
        "ap-phich-khong-im-lang",
        "Áp phích: Đừng im lặng",
        "poster",
        "youth",
        "vi",
        "Khuyến khích người chứng kiến lên tiếng và tìm trợ giúp.",
        "png",
        (30, 90, 140),
    ),
    (
        "do-hoa-quy-trinh-tiep-nhan",
        "Đồ họa: Quy trình tiếp nhận tin báo",
        "infographic",
        "officials",
        "vi",
        "Các bước tiếp nhận, xác minh, chuyển gửi an toàn.",
        "png",
        (20, 110, 80),
    ),
    (
        "do-hoa-muc-tieu-2025",
        "Đồ họa: Mục tiêu đến năm 2025",
        "infographic",
        "everyone",
        "vi",
        "Hai mục tiêu của Kế hoạch 106/KH-UBND.",
        "png",
        (150, 80, 20),
    ),
    (
        "huong-dan-ho-tro-an-toan",
        "Hướng dẫn: Hỗ trợ an toàn người bị bạo lực",
        "guideline",
        "officials",
        "vi",
        "Nguyên tắc lấy người bị bạo lực làm trung tâm, bảo mật và an toàn.",
        "pdf",
        (60, 60, 60),
    ),
    (
        "leaflet-where-to-get-help",
        "Leaflet: Where to get help",
        "leaflet",
        "everyone",
        "en",
        "The numbers to call and the places to go, in English.",
        "pdf",
        (91, 42, 134),
    ),
]

# National hotlines (real) and local entries (sample data, fake numbers).
SERVICE_PROVIDERS = [
    {
        "name": "Tổng đài điện thoại quốc gia bảo vệ trẻ em",
        "provider_type": "hotline",
        "phone": "111",
        "opening_hours": "24/7",
        "services": "Tiếp nhận thông tin, tư vấn, kết nối hỗ trợ trẻ em bị xâm hại.",
        "is_sample": False,
    },
    {
        "name": "Công an (cảnh sát 113)",
        "provider_type": "police",
        "phone": "113",
        "opening_hours": "24/7",
        "services": "Can thiệp khi có bạo lực đang xảy ra.",
        "is_sample": False,
    },
    {
        "name": "Cấp cứu y tế 115",
        "provider_type": "health",
        "phone": "115",
        "opening_hours": "24/7",
        "services": "Cấp cứu, vận chuyển người bị thương.",
        "is_sample": False,
    },
    {
        "name": "Trung tâm Công tác xã hội thành phố",
        "provider_type": "social_work",
        "phone": "024 0000 0001",
        "address": "Số 1 phố Mẫu",
        "ward": "HN-P-HOANKIEM",
        "opening_hours": "Thứ Hai – Thứ Sáu, 8:00–17:00",
        "services": "Tư vấn tâm lý, quản lý trường hợp, kết nối dịch vụ.",
        "is_sample": True,
    },
    {
        "name": "Nhà tạm lánh phường Hoàn Kiếm",
        "provider_type": "shelter",
        "phone": "024 0000 0002",
        "ward": "HN-P-HOANKIEM",
        "opening_hours": "24/7",
        "services": "Chỗ ở tạm thời an toàn, tối đa 5 ngày.",
        "is_sample": True,
    },
    {
        "name": "Trạm Y tế phường Hoàn Kiếm",
        "provider_type": "health",
        "phone": "024 0000 0003",
        "ward": "HN-P-HOANKIEM",
        "opening_hours": "7:30–17:00",
        "services": "Khám, sơ cứu, lập hồ sơ thương tích.",
        "is_sample": True,
    },
    {
        "name": "Trung tâm Trợ giúp pháp lý nhà nước",
        "provider_type": "legal_aid",
        "phone": "024 0000 0004",
        "ward": "HN-P-BADINH",
        "opening_hours": "Thứ Hai – Thứ Sáu",
        "services": "Tư vấn pháp luật, trợ giúp pháp lý miễn phí.",
        "is_sample": True,
    },
    {
        "name": "Hội Liên hiệp Phụ nữ xã Sóc Sơn",
        "provider_type": "womens_union",
        "phone": "024 0000 0005",
        "ward": "HN-X-SOCSON",
        "opening_hours": "Giờ hành chính",
        "services": "Lắng nghe, tư vấn, đồng hành.",
        "is_sample": True,
    },
    {
        "name": "Văn phòng hỗ trợ một cửa xã Ba Vì",
        "provider_type": "one_stop",
        "phone": "024 0000 0006",
        "ward": "HN-X-BAVI",
        "opening_hours": "Giờ hành chính",
        "services": "Tiếp nhận và điều phối hỗ trợ.",
        "is_sample": True,
    },
]

STANDARD_PAGES = [
    (
        "gioi-thieu",
        "Giới thiệu",
        True,
        "<p>Cổng thông tin và tập huấn trực tuyến của chương trình phòng ngừa và ứng phó với bạo lực trên cơ sở giới. "
        "Trang đăng tải tài liệu truyền thông, danh bạ hỗ trợ và các khóa học cho cán bộ, người dân.</p>",
    ),
    (
        "dieu-khoan-su-dung",
        "Điều khoản sử dụng",
        False,
        "<p>Nội dung trên trang được cung cấp để nâng cao nhận thức. Tài liệu truyền thông được phép sao chép, "
        "in ấn phục vụ mục đích phi lợi nhuận, ghi rõ nguồn.</p>",
    ),
    (
        "kha-nang-tiep-can",
        "Tuyên bố về khả năng tiếp cận",
        False,
        "<p>Trang được xây dựng theo Hướng dẫn về khả năng tiếp cận nội dung web (WCAG) 2.1 mức AA: dùng được bằng "
        "bàn phím, đọc được trên màn hình rộng từ 360 điểm ảnh và có nút thoát nhanh trên mọi trang.</p>",
    ),
]
