"""The catalogue of department datasets (R4.1): what each department sends, keyed by ID number.

Declared as data, not as one model per type: a batch is validated against its type's columns and
stored as a Parquet file, so adding a dataset type is adding an entry here. Column kinds:
``id`` (resident ID number, checked with ``idnumber.check_many``), ``str``, ``date`` (YYYY-MM-DD or
YYYYMMDD), ``int``, ``decimal`` and ``code`` (one of ``codes``). Headers may be the English name or
the Chinese label.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str = "str"
    required: bool = True
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dataset:
    code: str
    department: str
    name: str
    name_en: str
    columns: tuple[Column, ...]
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


ID = Column("id_number", "身份证号码", "id")
NAME = Column("name", "姓名", required=False)

DATASETS: dict[str, Dataset] = {d.code: d for d in (
    Dataset("ps_household", "公安", "户籍登记", "Household registration (hukou)", (
        ID, NAME, Column("hukou_no", "户号"), Column("is_hukou_head", "是否户主", "code", codes=("0", "1")),
        Column("address_code", "户籍地区划代码", required=False),
    )),
    Dataset("ps_death", "公安", "死亡注销", "Deaths", (
        ID, NAME, Column("death_date", "死亡日期", "date"),
    )),
    Dataset("ca_dibao", "民政", "低保对象", "Minimum living guarantee (低保) recipients", (
        ID, NAME, Column("start_date", "享受起始日期", "date"), Column("monthly_amount", "月保障金额", "decimal", False),
    )),
    Dataset("ca_tekun", "民政", "特困供养人员", "Extreme-poverty support (特困) recipients", (
        ID, NAME, Column("start_date", "享受起始日期", "date"),
    )),
    Dataset("housing_danger", "住建", "危房及改造", "Dangerous housing and renovations", (
        ID, Column("grade", "危房等级", "code", codes=("C", "D")),
        Column("renovated", "是否已改造", "code", codes=("0", "1")), Column("renovation_year", "改造年度", "int", False),
    )),
    Dataset("market_business", "市场监管", "市场主体登记", "Business registration", (
        ID, NAME, Column("credit_code", "统一社会信用代码"), Column("company_name", "企业名称"),
        Column("role", "身份", "code", codes=("legal", "shareholder", "sole")),
        Column("registered_capital", "注册资本（元）", "decimal"),
    )),
    Dataset("vehicles", "公安交管", "机动车登记", "Motor vehicles", (
        ID, Column("plate", "号牌号码"),
        # K 载客汽车, H 载货汽车, M 摩托车, N 三轮汽车及低速货车, T 拖拉机 (GA 24.4 vehicle type prefixes)
        Column("vehicle_type", "车辆类型", "code", codes=("K", "H", "M", "N", "T")),
        Column("registered_on", "初次登记日期", "date"),
    )),
    Dataset("real_estate", "自然资源", "不动产登记", "Real estate", (
        ID, Column("certificate_no", "不动产权证号"),
        Column("use", "用途", "code", codes=("residential", "commercial", "office", "industrial", "other")),
        Column("area", "面积（平方米）", "decimal"), Column("address", "坐落", required=False),
    )),
    Dataset("payroll", "财政", "财政供养人员", "Public payroll", (
        ID, NAME, Column("employer", "工作单位"), Column("start_date", "入编日期", "date", False),
    )),
    Dataset("edu_enrolment", "教育", "学籍", "Student enrolment and dropouts", (
        ID, NAME, Column("school", "学校"), Column("grade", "年级", required=False),
        Column("status", "学籍状态", "code", codes=("enrolled", "dropout", "suspended", "graduated")),
    )),
    Dataset("medical_insurance", "医保", "基本医疗保险参保", "Basic medical insurance enrolment", (
        ID, Column("scheme", "险种", "code", codes=("resident", "employee")), Column("year", "参保年度", "int"),
    )),
    Dataset("medical_expense", "医保", "医疗费用个人负担", "Out-of-pocket medical expenses", (
        ID, Column("year", "年度", "int"), Column("total_cost", "医疗总费用（元）", "decimal"),
        Column("out_of_pocket", "个人自付（元）", "decimal"),
    )),
    Dataset("hr_employment", "人社", "就业登记", "Employment", (
        ID, Column("employer", "用工单位"), Column("start_date", "起始日期", "date"),
        Column("monthly_wage", "月工资（元）", "decimal", False),
    )),
    Dataset("hr_pension", "人社", "养老保险待遇", "Pensions", (
        ID, Column("scheme", "险种", "code", codes=("resident", "employee")),
        Column("monthly_amount", "月待遇（元）", "decimal"),
    )),
    Dataset("disability_cert", "残联", "残疾人证", "Disability certificates", (
        ID, NAME, Column("certificate_no", "残疾人证号"), Column("category", "残疾类别", "code",
                                                                codes=("1", "2", "3", "4", "5", "6", "7")),
        Column("grade", "残疾等级", "code", codes=("1", "2", "3", "4")),
    )),
)}


def get(code: str) -> Dataset:
    try:
        return DATASETS[code]
    except KeyError:
        raise KeyError(f"unknown dataset type {code!r}; known: {', '.join(DATASETS)}") from None
