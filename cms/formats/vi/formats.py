# Dates in prose as Vietnamese writes them: "ngày 5 tháng 3 năm 2026".
DATE_FORMAT = r"\n\gà\y j \t\há\n\g n \nă\m Y"
DATETIME_FORMAT = r"H:i \n\gà\y j \t\há\n\g n \nă\m Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
FIRST_DAY_OF_WEEK = 1
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
