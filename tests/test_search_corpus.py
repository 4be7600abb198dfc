"""A small archive built from Records, shared by the search tests (read-only)."""

from __future__ import annotations

from pathlib import Path

from archive import Archive, Record

TEXTS = {
    "a00000000001": (
        "营口市人大代表联络站建设",
        "鲅鱼圈区",
        "营口市",
        "辽宁省",
        2025,
        ("代表工作",),
        "今年以来，区人大常委会推进人大代表联络站建设，代表之家常态化开放。\n"
        "开展执法检查3次，专题询问1次，听取专项工作报告。\n"
        "推动ABC数字平台上线，全过程人民民主落到实处。",
    ),
    "a00000000002": (
        "盖州市人大常委会工作综述",
        "盖州市",
        "营口市",
        "辽宁省",
        2024,
        ("监督", "民生"),
        "盖州市人大常委会聚焦民生实事，开展预算审查监督。\n"
        "代表联络站接待群众260余人，处理急难愁盼问题60余件。\n"
        "备案审查规范性文件12件。",
    ),
    "a00000000003": (
        "安州区人大常委会2025年工作亮点",
        "安州区",
        "绵阳市",
        "四川省",
        2025,
        ("立法", "监督"),
        "安州区人大常委会建设基层立法联系点，征集立法意见建议。\n"
        "组织代表视察调研，开展满意度测评。代表建议办结率100%。",
    ),
    "a00000000004": (
        "涪城区人大工作",
        "涪城区",
        "绵阳市",
        "四川省",
        2023,
        ("代表工作",),
        "涪城区人大常委会加强代表之家建设。全年召开常委会会议8次。\n"
        "推进数字人大建设，搭建履职平台。",
    ),
    "a00000000005": (
        "省人大常委会年度报告",
        None,
        None,
        "四川省",
        2025,
        ("立法",),
        "省人大常委会审议地方性法规草案15件，批准设区的市法规30件。\n"
        "执法检查覆盖全省，专题询问聚焦生态环境保护。",
    ),
    "a00000000006": (
        "未注明地区的总结",
        None,
        None,
        None,
        None,
        (),
        "全年受理群众来信来访，督促有关部门依法办理。人大代表积极参与。",
    ),
}


def build_archive(data_dir: Path, ids: list[str] | None = None) -> Archive:
    """Write the records (or a subset) into an archive in `data_dir`."""
    archive = Archive(data_dir)
    with archive.writing() as a:
        for record_id in ids or list(TEXTS):
            a.write(make_record(record_id))
    return archive


def make_record(record_id: str, text: str | None = None) -> Record:
    title, district, city, province, year, categories, body = TEXTS[record_id]
    return Record(
        id=record_id,
        title=title,
        text=text if text is not None else body,
        committee=f"{district or city or province or ''}人大常委会",
        district=district,
        city=city,
        province=province,
        year=year,
        categories=categories,
    )
