"""The two demo courses, written for this project. Each quiz question: (text, kind, [(choice, correct)], explanation)."""

S, M = "single_choice", "multiple_choice"

AWARENESS = {
    "slug": "hieu-dung-ve-bao-luc-tren-co-so-gioi",
    "title": "Hiểu đúng về bạo lực trên cơ sở giới",
    "summary": "Khóa học ngắn cho mọi người: nhận diện bạo lực, bác bỏ những lầm tưởng và biết tìm trợ giúp ở đâu.",
    "objectives": "<ul><li>Hiểu giới và bạo lực trên cơ sở giới là gì.</li><li>Nhận diện các hình thức bạo lực.</li>"
    "<li>Phân biệt lầm tưởng với sự thật.</li><li>Biết các số điện thoại và địa chỉ hỗ trợ.</li></ul>",
    "area": 1,
    "audience": "everyone",
    "hours": "2",
    "pass_mark": 80,
    "validity": None,
    "modules": [
        (
            "khai-niem",
            "Giới và bạo lực trên cơ sở giới",
            "Giới là những đặc điểm, vai trò, trách nhiệm mà xã hội gán cho nam và nữ. Bạo lực trên cơ sở giới là hành vi "
            "gây tổn hại về thể chất, tinh thần, tình dục hoặc kinh tế đối với một người vì giới của họ.",
            [
                (
                    "Bạo lực trên cơ sở giới chỉ xảy ra với phụ nữ.",
                    S,
                    [("Đúng", False), ("Sai", True)],
                    "Phụ nữ và trẻ em gái là nạn nhân phổ biến nhất, nhưng nam giới và người thuộc cộng đồng LGBT cũng có thể bị bạo lực vì giới.",
                ),
                (
                    "Điều nào mô tả đúng về “giới”?",
                    S,
                    [("Đặc điểm sinh học bẩm sinh", False), ("Vai trò, kỳ vọng do xã hội tạo ra", True)],
                    "Giới tính là sinh học; giới là những gì xã hội kỳ vọng và có thể thay đổi.",
                ),
                (
                    "Bạo lực trên cơ sở giới có thể gây tổn hại về mặt nào?",
                    M,
                    [("Thể chất", True), ("Tinh thần", True), ("Kinh tế", True)],
                    "Cả ba, cùng với tổn hại về tình dục.",
                ),
            ],
        ),
        (
            "cac-hinh-thuc",
            "Các hình thức bạo lực",
            "Bạo lực không chỉ là đánh đập. Chửi bới, lăng mạ, kiểm soát tiền bạc, cô lập khỏi bạn bè, ép buộc quan hệ tình dục "
            "đều là bạo lực.",
            [
                (
                    "Những hành vi nào là bạo lực?",
                    M,
                    [
                        ("Kiểm soát toàn bộ thu nhập của vợ", True),
                        ("Cấm gặp gỡ bạn bè, người thân", True),
                        ("Cùng bàn bạc chi tiêu", False),
                    ],
                    "Kiểm soát kinh tế và cô lập là bạo lực tinh thần và kinh tế.",
                ),
                (
                    "Ép buộc quan hệ tình dục trong hôn nhân có phải là bạo lực không?",
                    S,
                    [("Có", True), ("Không", False)],
                    "Luật Phòng, chống bạo lực gia đình năm 2022 nghiêm cấm cưỡng ép quan hệ tình dục, kể cả giữa vợ chồng.",
                ),
                (
                    "Liên tục theo dõi điện thoại của người yêu là…",
                    S,
                    [("Biểu hiện của sự quan tâm", False), ("Một hình thức kiểm soát", True)],
                    "Theo dõi, kiểm soát là dấu hiệu cảnh báo của bạo lực trong quan hệ.",
                ),
            ],
        ),
        (
            "lam-tuong-va-su-that",
            "Lầm tưởng và sự thật",
            "“Đóng cửa bảo nhau”, “chỉ là nóng giận nhất thời”… là những lầm tưởng khiến bạo lực kéo dài. Bạo lực không bao giờ là lỗi "
            "của người bị bạo lực.",
            [
                (
                    "Bạo lực gia đình là chuyện riêng, người ngoài không nên can thiệp.",
                    S,
                    [("Đúng", False), ("Sai", True)],
                    "Luật quy định mọi người có trách nhiệm báo tin khi phát hiện bạo lực gia đình.",
                ),
                (
                    "Người bị bạo lực thường là người “có lỗi”.",
                    S,
                    [("Đúng", False), ("Sai", True)],
                    "Không ai đáng bị bạo lực. Trách nhiệm thuộc về người gây bạo lực.",
                ),
                (
                    "Rượu bia là nguyên nhân gốc rễ của bạo lực.",
                    S,
                    [("Đúng", False), ("Sai", True)],
                    "Rượu bia có thể làm bạo lực trầm trọng hơn, nhưng gốc rễ là bất bình đẳng giới và mong muốn kiểm soát.",
                ),
            ],
        ),
        (
            "tim-tro-giup",
            "Tìm trợ giúp ở đâu",
            "Khi có nguy hiểm, gọi 113. Khi trẻ em bị xâm hại hoặc có nguy cơ, gọi 111 (miễn phí, 24/7). Khi bị thương, gọi 115. "
            "Ở cơ sở, trưởng thôn, tổ dân phố, hội phụ nữ, trạm y tế và công an xã, phường đều có thể tiếp nhận.",
            [
                (
                    "Số điện thoại nào dành cho trẻ em bị xâm hại?",
                    S,
                    [("111", True), ("114", False), ("116", False)],
                    "Tổng đài điện thoại quốc gia bảo vệ trẻ em 111, miễn phí.",
                ),
                (
                    "Khi bạo lực đang xảy ra và có nguy hiểm, nên gọi số nào?",
                    S,
                    [("113", True), ("1080", False)],
                    "Gọi công an 113.",
                ),
                (
                    "Ai có thể tiếp nhận tin báo ở cơ sở?",
                    M,
                    [("Công an xã, phường", True), ("Hội Liên hiệp Phụ nữ", True), ("Trạm y tế", True)],
                    "Tất cả đều có thể tiếp nhận và chuyển gửi.",
                ),
            ],
        ),
    ],
}

OFFICIALS = {
    "slug": "tiep-nhan-xac-minh-va-ho-tro",
    "title": "Tiếp nhận, xác minh và hỗ trợ người bị bạo lực trên cơ sở giới",
    "summary": "Khóa học cho cán bộ văn hóa - xã hội, công an, y tế, hội phụ nữ ở cơ sở: từ khung pháp lý đến bảo mật và đạo đức.",
    "objectives": "<ul><li>Nắm khung pháp lý, trong đó có Luật Phòng, chống bạo lực gia đình năm 2022.</li>"
    "<li>Nhận diện, sàng lọc, tiếp nhận và xác minh tin báo.</li><li>Chuyển gửi an toàn, quản lý trường hợp.</li>"
    "<li>Sơ cứu tâm lý, lập kế hoạch an toàn, giữ bí mật.</li></ul>",
    "area": 3,
    "audience": "officials",
    "hours": "8",
    "pass_mark": 80,
    "validity": 24,
    "modules": [
        (
            "khung-phap-ly",
            "Khung pháp lý",
            "Luật Phòng, chống bạo lực gia đình năm 2022 (có hiệu lực từ ngày 1 tháng 7 năm 2023), Luật Bình đẳng giới năm 2006 và "
            "Bộ luật Hình sự là cơ sở để tiếp nhận, bảo vệ, hỗ trợ người bị bạo lực và xử lý người gây bạo lực.",
            [
                (
                    "Luật Phòng, chống bạo lực gia đình hiện hành được Quốc hội thông qua năm nào?",
                    S,
                    [("2007", False), ("2022", True)],
                    "",
                ),
                ("Luật năm 2022 có hiệu lực từ ngày nào?", S, [("1/7/2023", True), ("1/1/2022", False)], ""),
                (
                    "Cưỡng ép thành viên gia đình lao động quá sức, đóng góp tài chính quá khả năng là…",
                    S,
                    [("Hành vi bạo lực gia đình", True), ("Chuyện nội bộ", False)],
                    "Luật liệt kê đây là hành vi bạo lực gia đình.",
                ),
                (
                    "Ai có thẩm quyền quyết định cấm tiếp xúc ngắn hạn ở cộng đồng?",
                    S,
                    [("Chủ tịch Ủy ban nhân dân cấp xã", True), ("Trưởng thôn", False)],
                    "",
                ),
                (
                    "Văn bản nào quy định về bình đẳng giới?",
                    S,
                    [("Luật Bình đẳng giới năm 2006", True), ("Luật Đất đai", False)],
                    "",
                ),
            ],
        ),
        (
            "nhan-dien-va-sang-loc",
            "Nhận diện và sàng lọc",
            "Dấu hiệu có thể là thương tích không giải thích được, lo âu, sợ hãi khi nhắc đến người thân, bị kiểm soát giấy tờ, tiền bạc. "
            "Sàng lọc cần được thực hiện riêng tư, với câu hỏi đơn giản, không phán xét.",
            [
                (
                    "Nên hỏi sàng lọc khi nào?",
                    S,
                    [("Khi người đó ở riêng, an toàn", True), ("Trước mặt người nhà", False)],
                    "",
                ),
                (
                    "Dấu hiệu nào cần lưu ý?",
                    M,
                    [
                        ("Thương tích không rõ nguyên nhân", True),
                        ("Sợ hãi khi nhắc đến chồng", True),
                        ("Không được giữ giấy tờ tùy thân", True),
                    ],
                    "",
                ),
                (
                    "Câu hỏi sàng lọc nên…",
                    S,
                    [("Ngắn gọn, không phán xét", True), ("Dồn hỏi để tìm ra sự thật", False)],
                    "",
                ),
                (
                    "Nếu người đó chưa muốn kể, cán bộ nên…",
                    S,
                    [("Tôn trọng, cho biết nơi có thể tìm trợ giúp", True), ("Ép họ phải khai báo", False)],
                    "",
                ),
                (
                    "Sàng lọc có thể làm ở đâu?",
                    M,
                    [("Trạm y tế", True), ("Buổi sinh hoạt cộng đồng có không gian riêng", True)],
                    "",
                ),
            ],
        ),
        (
            "tiep-nhan-xac-minh",
            "Tiếp nhận và xác minh tin báo",
            "Tin báo có thể đến trực tiếp, qua điện thoại hoặc do người khác báo. Cán bộ ghi nhận đầy đủ, đánh giá mức độ nguy hiểm "
            "và xác minh kịp thời, ưu tiên an toàn của người bị bạo lực.",
            [
                (
                    "Việc đầu tiên khi nhận tin báo là…",
                    S,
                    [("Đánh giá nguy cơ, bảo đảm an toàn", True), ("Mời hai bên đến hòa giải", False)],
                    "",
                ),
                ("Tin báo từ hàng xóm có cần được tiếp nhận không?", S, [("Có", True), ("Không", False)], ""),
                (
                    "Khi ghi nhận, cán bộ cần…",
                    M,
                    [("Ghi lời kể như người báo nói", True), ("Ghi thời gian, địa điểm", True)],
                    "",
                ),
                (
                    "Có nên hòa giải khi còn nguy cơ bạo lực nghiêm trọng?",
                    S,
                    [("Không", True), ("Có", False)],
                    "Hòa giải không phù hợp khi an toàn của người bị bạo lực đang bị đe dọa.",
                ),
                (
                    "Xác minh tin báo phải…",
                    S,
                    [("Kịp thời, khách quan", True), ("Chờ người bị bạo lực tự đến", False)],
                    "",
                ),
            ],
        ),
        (
            "chuyen-gui-an-toan",
            "Chuyển gửi an toàn và quản lý trường hợp",
            "Chuyển gửi là kết nối người bị bạo lực với dịch vụ y tế, công an, pháp lý, nhà tạm lánh và công tác xã hội, với sự đồng ý "
            "của họ. Quản lý trường hợp giúp theo dõi để không ai bị bỏ sót.",
            [
                (
                    "Chuyển gửi cần có…",
                    S,
                    [("Sự đồng ý của người bị bạo lực", True), ("Chữ ký của người gây bạo lực", False)],
                    "",
                ),
                (
                    "Dịch vụ nào có thể chuyển gửi đến?",
                    M,
                    [("Cơ sở y tế", True), ("Trợ giúp pháp lý", True), ("Nhà tạm lánh", True)],
                    "",
                ),
                (
                    "Quản lý trường hợp giúp…",
                    S,
                    [("Theo dõi và phối hợp hỗ trợ", True), ("Lập danh sách công khai", False)],
                    "",
                ),
                (
                    "Trước khi chuyển gửi, nên…",
                    S,
                    [("Liên hệ trước với nơi nhận", True), ("Để người bị bạo lực tự tìm đến", False)],
                    "",
                ),
                (
                    "Khi trẻ em bị xâm hại, có thể kết nối với…",
                    S,
                    [("Tổng đài 111", True), ("Chỉ gia đình", False)],
                    "",
                ),
            ],
        ),
        (
            "so-cuu-tam-ly",
            "Sơ cứu tâm lý và kế hoạch an toàn",
            "Sơ cứu tâm lý gồm quan sát, lắng nghe và kết nối. Kế hoạch an toàn giúp người bị bạo lực chuẩn bị: số điện thoại khẩn cấp, "
            "nơi có thể đến, giấy tờ cần mang theo.",
            [
                (
                    "Ba bước của sơ cứu tâm lý là…",
                    S,
                    [("Quan sát, lắng nghe, kết nối", True), ("Khuyên bảo, phê bình, kết luận", False)],
                    "",
                ),
                (
                    "Khi lắng nghe, cán bộ nên…",
                    S,
                    [("Không ngắt lời, không phán xét", True), ("Đưa ra lời khuyên ngay", False)],
                    "",
                ),
                (
                    "Kế hoạch an toàn gồm…",
                    M,
                    [("Số điện thoại khẩn cấp", True), ("Nơi có thể đến", True), ("Giấy tờ cần mang theo", True)],
                    "",
                ),
                (
                    "Ai quyết định nội dung kế hoạch an toàn?",
                    S,
                    [("Người bị bạo lực, cùng cán bộ", True), ("Người gây bạo lực", False)],
                    "",
                ),
                (
                    "Câu nói nào phù hợp?",
                    S,
                    [("“Đây không phải lỗi của chị.”", True), ("“Chị nên nhẫn nhịn cho êm nhà.”", False)],
                    "",
                ),
            ],
        ),
        (
            "bao-mat-va-dao-duc",
            "Bảo mật và đạo đức nghề nghiệp",
            "Thông tin về người bị bạo lực phải được giữ bí mật, chỉ chia sẻ khi họ đồng ý hoặc khi pháp luật yêu cầu để bảo vệ tính mạng. "
            "Cán bộ không phân biệt đối xử, không đổ lỗi, tôn trọng quyết định của người bị bạo lực.",
            [
                ("Có được kể trường hợp cụ thể trong cuộc họp thôn không?", S, [("Không", True), ("Có", False)], ""),
                (
                    "Thông tin có thể được chia sẻ khi…",
                    S,
                    [("Người bị bạo lực đồng ý hoặc để bảo vệ tính mạng", True), ("Người thân hỏi", False)],
                    "",
                ),
                (
                    "Hồ sơ trường hợp nên được…",
                    S,
                    [("Cất giữ an toàn, hạn chế người xem", True), ("Để trên bàn làm việc", False)],
                    "",
                ),
                (
                    "Nguyên tắc nào là đúng?",
                    M,
                    [("Không đổ lỗi", True), ("Không phân biệt đối xử", True), ("Tôn trọng quyết định", True)],
                    "",
                ),
                (
                    "Chụp ảnh người bị bạo lực đăng mạng xã hội để kêu gọi giúp đỡ là…",
                    S,
                    [("Vi phạm bí mật", True), ("Việc nên làm", False)],
                    "",
                ),
            ],
        ),
    ],
}

COURSES = [AWARENESS, OFFICIALS]
