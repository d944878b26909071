"""The demo city 示范市: its departments, its named accounts and generated staff."""

from __future__ import annotations

# (code, name, kind, parent code, issuing code)
DEPARTMENTS: list[tuple[str, str, str, str | None, str]] = [
    ("SFS", "示范市人民政府", "city", None, "示政发"),
    ("SFS-BGT", "示范市人民政府办公厅", "bureau", "SFS", "示政办发"),
    ("SFS-BGT-MSC", "秘书处", "division", "SFS-BGT", ""),
    ("SFS-BGT-ZHC", "综合处", "division", "SFS-BGT", ""),
    ("SFS-FGW", "示范市发展和改革委员会", "bureau", "SFS", "示发改"),
    ("SFS-FGW-GHC", "发展规划处", "division", "SFS-FGW", ""),
    ("SFS-FGW-TZC", "投资处", "division", "SFS-FGW", ""),
    ("SFS-JYJ", "示范市教育局", "bureau", "SFS", "示教发"),
    ("SFS-JYJ-JCC", "基础教育处", "division", "SFS-JYJ", ""),
    ("SFS-CZJ", "示范市财政局", "bureau", "SFS", "示财发"),
    ("SFS-CZJ-YSC", "预算处", "division", "SFS-CZJ", ""),
    ("SFS-RSJ", "示范市人力资源和社会保障局", "bureau", "SFS", "示人社发"),
    ("SFS-SJJ", "示范市市场监督管理局", "bureau", "SFS", "示市监发"),
    ("SFS-ZWJ", "示范市政务服务和数据管理局", "bureau", "SFS", "示政数发"),
    ("SFS-ZWJ-SJC", "数据资源处", "division", "SFS-ZWJ", ""),
    ("SFS-DCQ", "东城区人民政府", "district", "SFS", "东政发"),
    ("SFS-DCQ-BGS", "东城区人民政府办公室", "office", "SFS-DCQ", "东政办发"),
    ("SFS-XCQ", "西城区人民政府", "district", "SFS", "西政发"),
    ("SFS-XCQ-BGS", "西城区人民政府办公室", "office", "SFS-XCQ", "西政办发"),
]

# Named accounts the README lists: (username, name, department, position, [(role, dept, scope)])
ADMINS: list[tuple[str, str, str]] = [
    ("admin", "系统管理员", "system"),
    ("secadmin", "安全保密管理员", "security"),
    ("auditor", "安全审计员", "auditor"),
]
ADMIN_DEPARTMENT = "SFS-ZWJ-SJC"

NAMED_STAFF: list[tuple[str, str, str, str, list[tuple[str, str, str | None]]]] = [
    ("mayor", "周建国", "SFS", "mayor", [("city_leader", "SFS", None)]),
    ("director", "李文华", "SFS-BGT", "director", [("bureau_head", "SFS-BGT", None)]),
    ("chief", "王海燕", "SFS-BGT-MSC", "division_head", [("division_head", "SFS-BGT-MSC", None)]),
    ("clerk", "张晓明", "SFS-BGT-MSC", "officer", [("clerk", "SFS-BGT-MSC", None)]),
    ("hr", "陈丽", "SFS-RSJ", "section_chief", [("hr_officer", "SFS", None)]),
    ("dongcheng", "刘志强", "SFS-DCQ-BGS", "officer", [("clerk", "SFS-DCQ-BGS", None)]),
    # The city's seal room (机要室): keeps the seals of the city and of every unit below it.
    ("sealkeeper", "赵玉兰", "SFS-BGT", "officer", [("seal_keeper", "SFS", "subtree")]),
    # The city's archives room (档案室): archives, appraises and exports the records of every unit.
    ("archivist", "钱晓梅", "SFS-BGT", "officer", [("archivist", "SFS", "subtree")]),
]
# Accounts with a second factor from the start (TOTP secret printed by ``tongban demo``).
TOTP_STAFF = {"sealkeeper"}
# Units that get a seal certificate (公章) in the demo: the city and every bureau and district.
SEAL_KINDS = ("city", "bureau", "district")

SURNAMES = [
    ("王", "wang"),
    ("李", "li"),
    ("张", "zhang"),
    ("刘", "liu"),
    ("陈", "chen"),
    ("杨", "yang"),
    ("赵", "zhao"),
    ("黄", "huang"),
    ("周", "zhou"),
    ("吴", "wu"),
    ("徐", "xu"),
    ("孙", "sun"),
    ("胡", "hu"),
    ("朱", "zhu"),
    ("高", "gao"),
]
GIVEN = [
    ("伟", "wei"),
    ("芳", "fang"),
    ("娜", "na"),
    ("敏", "min"),
    ("静", "jing"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("洋", "yang"),
    ("艳", "yan"),
    ("勇", "yong"),
    ("军", "jun"),
    ("杰", "jie"),
    ("娟", "juan"),
    ("涛", "tao"),
    ("明", "ming"),
    ("超", "chao"),
    ("秀英", "xiuying"),
    ("桂英", "guiying"),
    ("建华", "jianhua"),
]
STAFF_PER_DEPARTMENT = 3
