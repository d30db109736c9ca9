"""Write the illustrative (示例) department submissions in data/samples/ and the manifest that loads them in order.

Everything here is invented for demonstration: the values are 示例, not official figures. The script is
deterministic (no randomness, fixed timestamps inside the XLSX files), so running it twice gives the same bytes.

    .venv/bin/python scripts/make_samples.py

The story the files tell (see data/samples/README.md):
- most indicators move close to the straight path from their baseline to the 2025 target;
- A02 创新功能性平台 reaches 10 in 2025H1 and C01 硕博士创新实践基地 reaches +6 in 2024 (achieved early);
- A05, A08, A15, B05, B09, C03 lag behind (需关注 / 进度滞后) and some miss the 2025 target;
- D06 公民具备科学素质比例 falls below its baseline in 2024 (regressing), with the reason in 备注;
- 区人才办 (RCB) sends its 2024Q3 file late (26 Nov 2024, due 15 Oct);
- 区商务委 (SWW) misses 2025Q1 and sends it together with 2025Q2;
- 区科委 (KW) corrects its 2025Q1 A13 融资额 in the 2025Q2 file, explaining the correction in 备注;
- annual-kind indicators meet their yearly targets in 2023–2024; C05 人才公寓租金补贴人数 falls short in 2025;
- milestones: C13 分院挂牌 2024Q1, A17 集成电路应用概念验证中心 2025H1, A18 高质量孵化器启动建设 2025Q3.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
PLAN_DIR = ROOT / "data" / "plan"
OUT_DIR = ROOT / "data" / "samples"
MANIFEST = "manifest.csv"
DUE_DAYS = 15  # plan.csv due_days: a quarter's file is due on the 15th day after the quarter ends
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # every XLSX member gets this timestamp, so the bytes never change
FIXED_CORE_TIME = "2026-01-01T00:00:00Z"

QUARTERS = [f"{y}Q{q}" for y in (2023, 2024, 2025) for q in (1, 2, 3, 4)]
HALVES = [f"{y}H{h}" for y in (2023, 2024, 2025) for h in (1, 2)]
YEARS = ["2023", "2024", "2025"]
PERIODS = {"quarterly": QUARTERS, "half-yearly": HALVES, "annual": YEARS}
FIRST_FILE, LAST_FILE = "2023Q4", "2025Q4"

# ---- the story: one value per period from 2023 on (quarterly 12, half-yearly 6, annual 3) --------------------
# Counts are integers, % within 0–100, money with two decimals. All values are 示例 (illustrative).
SERIES: dict[str, list[float]] = {
    # 区科委 KW
    "A03": [452, 478, 506, 556, 608, 660, 712, 766, 820, 872, 930, 1012],  # 千家目标，2025年四季度达成
    "A18": [0] * 10 + [1, 1],  # 2025-09-01 启动建设
    "A10": [7.15, 7.35, 7.88, 8.37, 7.20, 7.65, 8.10, 8.75, 7.25, 7.90, 8.30, 8.65],
    "A13": [8.40, 8.55, 9.10, 9.15, 8.45, 8.90, 9.40, 9.00, 8.46, 9.75, 9.05, 9.90],  # 2025Q1 先报9.26，后更正
    "B06": [92.8, 93.3, 93.8, 94.3, 94.7, 95.2, 95.6, 96.1, 96.6, 97.0, 97.5, 98.2],
    "A04": [10, 12, 14, 16, 18, 20],
    "A02": [4, 6, 7, 8, 10, 10],  # 提前达成（2025年上半年达到10个）
    "A17": [0, 0, 0, 0, 1, 1],  # 2025-02-12 启用
    "D01": [1, 1, 1, 2, 1, 1],
    "D04": [17, 25, 31, 38, 44, 51],
    "A07": [96, 113, 131],
    "A08": [15, 19, 24],  # 滞后，2025年未达标
    "A01": [0, 1, 1],
    "A09": [0, 0, 2],
    "D07": [4, 7, 10],
    "C12": [0, 2, 2],
    # 华阳路街道 HYL
    "B07": [9.6, 9.2, 8.8, 8.3, 8.9, 7.6, 7.2, 6.8, 6.4, 6.0, 5.6, 4.9],  # 2024Q1 春节因素回升
    "D02": [5, 5, 5, 6, 5, 6, 5, 7, 5, 6, 6, 6],
    "A15": [17.2, 16.3, 15.4, 14.6, 13.8, 12.9],  # 空置率下降偏慢（需关注）
    "B02": [4, 6, 8, 10, 12, 15],
    "P05": [6, 6, 6, 7, 6, 7],
    "B01": [3, 4, 5],
    # 区科协 KX
    "D05": [15, 16, 18, 14, 15, 17, 19, 14, 15, 15, 18, 15],
    "P06": [10, 10, 12, 9, 10, 11, 12, 9, 10, 10, 12, 10],
    "D06": [29.9, 29.1, 30.3],  # 2024年低于基线（倒退），备注说明
    "D09": [5, 6, 6],
    "P02": [8, 10, 12],
    "P03": [7, 9, 10],
    "P04": [16, 17, 18],
    # 区委宣传部 XCB
    "B08": [12, 13, 14, 14, 12, 14, 16, 17, 12, 13, 14, 15],
    # 区人才办 RCB
    "C05": [24, 25, 27, 27, 24, 27, 28, 26, 18, 20, 22, 25],  # 2025年合计85人，未达年度目标100人
    "C06": [72.10, 72.30, 75.60, 82.80, 71.60, 76.80, 79.50, 86.95, 72.40, 76.15, 78.80, 80.60],
    "C02": [3, 4, 6],
    "C03": [4, 6, 9],
    # 团区委 TQW
    "C13": [0, 0, 0, 0, 1, 1, 1, 1],  # 2024年一季度挂牌；目标期2024年后不再填报
    "D03": [3, 2, 3, 3, 3, 2],
    "C11": [86, 104, 92],
    "C09": [5, 8, 10],
    # 区商务委 SWW
    "A06": [159, 168, 177, 185, 194, 203, 211, 220, 229, 238, 247, 262],
    # 区规划资源局 GHZY
    "A11": [11.0, 12.0, 12.9, 13.9, 14.9, 16.2],
    "B09": [2, 3, 4],
    "B05": [60, 80, 100],  # 五大系统达标数/5
    # 江苏路街道 JSL
    "B10": [4, 6, 8, 9, 11, 12],
    "B03": [4, 6, 8],
    "B04": [8, 9, 10],
    # 区发改委 FGW / 区建管委 JGW / 区市场监管局 SCJG / 区委组织部 ZZB
    "A05": [2, 2, 4],
    "A12": [4, 7, 10],
    "A14": [2058, 2318, 2612],
    "P01": [88.5, 91.8, 95.3],
    # 区教育局 JYJ
    "C08": [11, 13, 15],
    "C14": [3, 4, 6],
    "C15": [6, 7, 8],
    # 区人社局 RSJ
    "C04": [17, 19, 20],
    "C07": [6, 7, 8],
    "C01": [2, 6, 7],  # 2024年提前达成 +6
}

# 备注 for particular values: explanations of the 核实性 hits, events behind milestones, context.
NOTES: dict[tuple[str, str], str] = {
    ("A18", "2025Q3"): "2025年9月1日上海硅巷高质量孵化器成立运营主体并举行启动仪式，正式启动建设",
    ("A17", "2025H1"): "2025年2月12日集成电路应用概念验证中心在硅巷No.1启用",
    ("A02", "2025H1"): "新挂牌集成电路应用概念验证中心等2个功能性平台，提前达到10个的目标",
    ("A01", "2024"): "硅巷高质量孵化器完成运营主体组建，纳入培育",
    ("A09", "2025"): "集成电路应用概念验证中心及1家企业自建概念验证中心投入运行",
    ("C12", "2024"): "世界青年科学家联合会青托项目实习基地2个挂牌",
    ("D07", "2024"): "2024年新签约长三角科创街区、高校科技园等战略合作协议3项，累计7项",
    ("A05", "2023"): "金融科技赛道经区发改委认定形成创新产业集群，2023年新增1个",
    ("A05", "2024"): "智能网联、绿色低碳集群培育中，尚未达到认定条件",
    ("A05", "2025"): "智能网联、绿色低碳两个集群经认定形成，新增2个，累计4个，仍未达到5个的目标",
    ("A08", "2025"): "3家企业专精特新资质到期未复核，当年净增5家",
    ("A12", "2024"): "新完成武夷路、定西路沿线3栋存量楼宇改造并转为科创用途",
    ("B07", "2024Q1"): "春节假期因素及本季度受理的跨部门协调类诉求增多，平均办结时长阶段性上升",
    ("D06", "2024"): "2024年抽样调查扩大样本，新纳入外来从业人员和新入住社区，比例低于上年；已加强社区书院科普课堂",
    ("D06", "2025"): "较2024年回升1.2个百分点，仍未达到32%的目标",
    ("A15", "2025H2"): "新交付载体尚在招商去化期，空置率未降至10%",
    ("C09", "2024"): "新聘任高校及科研院所专家导师3位，导师总数增至8位",
    ("C14", "2024"): "1所高中与高校的学科基地合作协议尚在签订中，计入2025年",
    ("C01", "2024"): "新认定一批硕博士创新实践基地（4家），2023年起累计6家，提前完成目标",
    ("C05", "2025Q1"): "人才公寓租金补贴政策调整，一季度新申请受理暂停一个月",
    ("C05", "2025Q4"): "全年新增85人，未达到年度目标100人",
    ("C13", "2024Q1"): "上海青少年创新学院长宁分院于2024年1月正式挂牌",
    ("B05", "2025"): "五大系统全部达到规划配置标准",
    ("A03", "2025Q4"): "四季度新认定一批高成长性科技企业，存量超过千家",
    ("A06", "2025Q1"): "一季度报表漏报，随二季度报表补报",
}

# A value first sent one way and corrected in a later file: (code, period) → (first value, file that corrects it, note)
REVISIONS: dict[tuple[str, str], tuple[float, str, str]] = {
    ("A13", "2025Q1"): (9.26, "2025Q2",
                        "数据更正：一季度原报9.26亿元误含一笔4月到账的0.80亿元融资，按到账时间计入二季度，更正为8.46亿元"),
}
STOP_AFTER = {"C13": "2024Q4"}  # a milestone with target 2024: the department stops reporting it after 2024
MONEY_UNITS = {"亿元", "万元"}
ONE_DECIMAL_UNITS = {"%", "天", "万平方米"}
COUNT_UNITS = set(["个", "家", "人", "项", "次", "场", "件", "篇", "栋", "支", "所"])


# ---- how each department writes its files -------------------------------------------------------------------

@dataclass(frozen=True)
class Style:
    """A department's habits: file format and encoding, name pattern, period spelling, title and form rows."""

    fmt: str  # csv | xlsx
    encoding: str  # utf-8-sig | gb18030 | xlsx
    name: str  # pattern with {p} (2025Q3), {y}, {q}, {cnq} (三), {dept}
    periods: str  # code | cn | dash | cn_num
    title: bool = False
    form: bool = False
    milestone_words: tuple[str, str] = ("0", "1")
    serial: bool = False  # a leading 序号 column
    percent_sign: bool = False  # write 95.2% for % units
    thousands: bool = False  # write 2,046 for counts ≥ 1000
    numeric_years: bool = False  # XLSX: a year typed as a number (Excel turns 2025 into 2025)
    day: int = 10  # day of the month after the quarter on which the file is usually sent
    time: str = "10:30:00"
    submitter: str = ""
    phone: str = ""


STYLES: dict[str, Style] = {
    "KW": Style("xlsx", "xlsx", "{p}_区科委_上海硅巷建设指标季报.xlsx", "cn", title=True, form=True,
                milestone_words=("未完成", "已完成"), day=9, time="10:30:00", submitter="张老师(示例)",
                phone="021-0000-0001（示例）"),
    "HYL": Style("xlsx", "xlsx", "{p}_华阳路街道.xlsx", "code", form=True, serial=True, day=11, time="15:20:00",
                 submitter="李老师(示例)", phone="021-0000-0002（示例）"),
    "KX": Style("csv", "gb18030", "区科协_{y}年第{q}季度硅巷指标.csv", "dash", day=12, time="09:15:00",
                submitter="王老师(示例)"),
    "XCB": Style("csv", "utf-8-sig", "{p}_区委宣传部_宣传报道统计.csv", "cn", title=True, day=8, time="16:05:00",
                 submitter="赵老师(示例)"),
    "RCB": Style("csv", "utf-8-sig", "{p}_区人才办_硅巷指标季报.csv", "code", form=True, day=13, time="11:40:00",
                 submitter="陈老师(示例)", phone="021-0000-0005（示例）"),
    "TQW": Style("csv", "gb18030", "团区委{y}年{cnq}季度报表.csv", "cn_num", milestone_words=("否", "是"), day=10,
                 time="14:00:00", submitter="刘老师(示例)"),
    "SWW": Style("xlsx", "xlsx", "{p}_区商务委_六大赛道企业数.xlsx", "dash", title=True, day=12, time="09:50:00",
                 submitter="周老师(示例)"),
    "GHZY": Style("csv", "utf-8-sig", "{p}_区规划资源局.csv", "code", percent_sign=True, day=14, time="17:10:00",
                  submitter="吴老师(示例)"),
    "JSL": Style("xlsx", "xlsx", "{p}_江苏路街道.xlsx", "cn", form=True, day=9, time="15:45:00",
                 submitter="孙老师(示例)", phone="021-0000-0009（示例）"),
    "FGW": Style("csv", "gb18030", "{y}年度_区发改委_硅巷指标.csv", "cn", day=13, time="10:00:00",
                 submitter="郑老师(示例)"),
    "JGW": Style("csv", "utf-8-sig", "{y}年度_区建管委.csv", "code", day=12, time="13:30:00", submitter="冯老师(示例)"),
    "SCJG": Style("csv", "utf-8-sig", "{y}年度_区市场监管局_有效发明专利.csv", "cn", title=True, thousands=True,
                  day=11, time="11:15:00", submitter="钱老师(示例)"),
    "JYJ": Style("xlsx", "xlsx", "{y}年度_区教育局_硅巷指标.xlsx", "code", title=True, numeric_years=True, day=10,
                 time="16:30:00", submitter="何老师(示例)"),
    "RSJ": Style("xlsx", "xlsx", "{p}_区人社局.xlsx", "cn", form=True, day=8, time="09:40:00",
                 submitter="许老师(示例)", phone="021-0000-0014（示例）"),
    "ZZB": Style("csv", "gb18030", "{y}年度_区委组织部.csv", "code", percent_sign=True, day=14, time="15:00:00",
                 submitter="沈老师(示例)"),
}

# Exceptions to the usual rhythm.
LATE = {("RCB", "2024Q3"): dt.datetime(2024, 11, 26, 16, 45)}  # due 2024-10-15: sent six weeks late
MISSED = {("SWW", "2025Q1"): "2025Q2"}  # never sent on its own; its rows travel with the 2025Q2 file
RENAMED = {("SWW", "2025Q2"): "2025Q2_区商务委_六大赛道企业数（含一季度补报）.xlsx"}
FULL_WIDTH = {("D05", "2024Q3")}  # typed with a full-width IME: １９
KW_PERCENT = {"B06": {"2024Q4", "2025Q4"}}  # 区科委 writes B06 with a % sign in these periods

CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
HEADER = ["指标编码", "指标名称", "统计期", "数值", "单位", "备注"]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    unit: str
    kind: str
    direction: str
    baseline: float
    baseline_period: str
    target: float
    department: str
    frequency: str


@dataclass
class Row:
    code: str
    period: str  # canonical: 2025Q3, 2025H1, 2025
    value: float
    note: str = ""


@dataclass
class SampleFile:
    department: str
    quarter: str  # the quarter the file reports on (2025Q3)
    rows: list[Row] = field(default_factory=list)
    name: str = ""
    submitted_at: dt.datetime | None = None


# ---- plan --------------------------------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def load_plan() -> tuple[dict[str, Indicator], dict[str, str]]:
    indicators = {}
    for r in read_csv(PLAN_DIR / "indicators.csv"):
        indicators[r["code"]] = Indicator(r["code"], r["name_zh"], r["unit"], r["kind"], r["direction"],
                                          float(r["baseline"]), r["baseline_period"], float(r["target"]),
                                          r["department"], r["frequency"])
    departments = {r["code"]: r["name_zh"] for r in read_csv(PLAN_DIR / "departments.csv")}
    return indicators, departments


# ---- periods -----------------------------------------------------------------------------------------------

def end_time(period: str) -> float:
    """2025Q3 → 2025.75, 2025H1 → 2025.5, 2025 → 2026.0 (as pipelines.core.periods does)."""
    m = re.fullmatch(r"(\d{4})(?:([QH])([1-4]))?", period)
    assert m, period
    year, kind, index = int(m.group(1)), m.group(2), int(m.group(3) or 1)
    return year + index / {"Q": 4, "H": 2, None: 1}[kind]


def quarter_end(quarter: str) -> dt.date:
    year, q = int(quarter[:4]), int(quarter[-1])
    return dt.date(year + q // 4, q % 4 * 3 + 1, 1) - dt.timedelta(days=1)


def due_date(quarter: str) -> dt.date:
    return quarter_end(quarter) + dt.timedelta(days=DUE_DAYS)


def spell(period: str, style: str) -> str:
    """A canonical period as a department writes it."""
    year = period[:4]
    if len(period) == 4:
        return f"{year}年" if style in ("cn", "cn_num") else year
    kind, index = period[4], int(period[5])
    if style == "code":
        return period
    if style == "dash":
        return f"{year}-{kind}{index}"
    if kind == "H":
        return f"{year}年{'上' if index == 1 else '下'}半年"
    return f"{year}年第{CN_QUARTER[index] if style == 'cn' else index}季度"


def quarter_label(quarter: str) -> str:
    return f"{quarter[:4]}年第{CN_QUARTER[int(quarter[-1])]}季度"


# ---- values ------------------------------------------------------------------------------------------------

def series_by_period(indicators: dict[str, Indicator]) -> dict[str, dict[str, float]]:
    out = {}
    for code, ind in indicators.items():
        periods = PERIODS[ind.frequency]
        values = SERIES[code]
        if code in STOP_AFTER:
            periods = [p for p in periods if end_time(p) <= end_time(STOP_AFTER[code])]
        if len(values) != len(periods):
            raise SystemExit(f"{code}: {len(values)} values for {len(periods)} periods")
        out[code] = dict(zip(periods, values))
    return out


def format_value(ind: Indicator, value: float, style: Style, period: str) -> str | float | int:
    """The value as the department types it (text for CSV; numbers for XLSX unless typed as text)."""
    if ind.kind == "milestone":
        return style.milestone_words[int(value)]
    if ind.unit in MONEY_UNITS:
        number: float | int = round(value, 2)
        text = f"{value:.2f}"
    elif ind.unit in ONE_DECIMAL_UNITS:
        number = round(value, 1)
        text = f"{value:.1f}".removesuffix(".0") if ind.unit == "%" and value == int(value) else f"{value:.1f}"
    else:
        number = int(value)
        text = f"{int(value):,}" if style.thousands and value >= 1000 else str(int(value))
    if (ind.code, period) in FULL_WIDTH:
        return unicodedata.normalize("NFKC", text).translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    if ind.unit == "%" and (style.percent_sign or period in KW_PERCENT.get(ind.code, ())):
        return text + "%"
    return number if style.fmt == "xlsx" else text


# ---- files -------------------------------------------------------------------------------------------------

def plan_files(indicators: dict[str, Indicator], departments: dict[str, str]) -> list[SampleFile]:
    values = series_by_period(indicators)
    files: dict[tuple[str, str], SampleFile] = {}
    for quarter in QUARTERS[QUARTERS.index(FIRST_FILE):QUARTERS.index(LAST_FILE) + 1]:
        for dept in departments:
            rows = [Row(code, period, value, NOTES.get((code, period), ""))
                    for code, ind in indicators.items() if ind.department == dept
                    for period, value in values[code].items() if _reported_in(period, quarter)]
            if not rows:
                continue
            for row in rows:
                revised = REVISIONS.get((row.code, row.period))
                if revised:  # the first report carries the value later corrected
                    row.value, row.note = revised[0], ""
                elif quarter == FIRST_FILE and end_time(row.period) < end_time(FIRST_FILE) and not row.note:
                    row.note = "2023年补报"
            target = MISSED.get((dept, quarter), quarter)
            files.setdefault((dept, target), SampleFile(dept, target)).rows.extend(rows)
    for (code, period), (_, quarter, note) in REVISIONS.items():
        dept = indicators[code].department
        files[(dept, quarter)].rows.append(Row(code, period, values[code][period], note))
    order = list(indicators)
    for f in files.values():
        f.rows.sort(key=lambda r: (order.index(r.code), end_time(r.period)))
        f.name = _file_name(f)
        f.submitted_at = _submitted_at(f)
    return sorted(files.values(), key=lambda f: (f.submitted_at, f.name))


def _reported_in(period: str, quarter: str) -> bool:
    """Whether a file for a quarter carries a period: periods ending in it; the first file also catches up 2023."""
    if quarter == FIRST_FILE:
        return period.startswith("2023")
    return end_time(period) == end_time(quarter)


def _file_name(f: SampleFile) -> str:
    if (f.department, f.quarter) in RENAMED:
        return RENAMED[(f.department, f.quarter)]
    q = int(f.quarter[-1])
    return STYLES[f.department].name.format(p=f.quarter, y=f.quarter[:4], q=q, cnq=CN_QUARTER[q])


def _submitted_at(f: SampleFile) -> dt.datetime:
    if (f.department, f.quarter) in LATE:
        return LATE[(f.department, f.quarter)]
    style = STYLES[f.department]
    due = due_date(f.quarter)
    day = dt.date(due.year, due.month, min(style.day, DUE_DAYS - 1))
    return dt.datetime.combine(day, dt.time.fromisoformat(style.time))


def table_rows(f: SampleFile, indicators: dict[str, Indicator]) -> list[list[object]]:
    style = STYLES[f.department]
    out = []
    for row in f.rows:
        ind = indicators[row.code]
        period: object = spell(row.period, style.periods)
        if style.numeric_years and len(row.period) == 4:
            period = int(row.period)
        out.append([row.code, ind.name, period, format_value(ind, row.value, style, row.period), ind.unit, row.note])
    return out


def report_label(f: SampleFile) -> str:
    """The reporting period as the form names it: 2025年第三季度, or 2025年度 for a file of yearly figures only."""
    if all(len(r.period) == 4 for r in f.rows):
        return f"{f.quarter[:4]}年度"
    return quarter_label(f.quarter)


def form_rows(f: SampleFile, departments: dict[str, str]) -> list[list[str]]:
    style = STYLES[f.department]
    label = report_label(f)
    if f.quarter == FIRST_FILE and label != "2023年度":
        label += "（含2023年前三季度补报）"
    if (f.department, f.quarter) in RENAMED:
        label += "（含2025年第一季度补报）"
    rows = [["表名：上海硅巷建设指标季度报送表（示例数据）"], [f"报告期：{label}"],
            [f"填报单位：{departments[f.department]}"], [f"填报人：{style.submitter}"]]
    if style.phone:
        rows.append([f"联系电话：{style.phone}"])
    return rows


def title_text(f: SampleFile, departments: dict[str, str]) -> str:
    extra = "，含2025年第一季度补报" if (f.department, f.quarter) in RENAMED else ""
    return f"{departments[f.department]}上海硅巷建设指标报送表（{report_label(f)}{extra}，示例数据）"


def write_csv(f: SampleFile, indicators: dict[str, Indicator], departments: dict[str, str]) -> bytes:
    style = STYLES[f.department]
    width = len(HEADER) + (1 if style.serial else 0)
    lines: list[list[object]] = []
    if style.title:
        lines.append([title_text(f, departments)] + [""] * (width - 1))
    if style.form:
        lines += [r + [""] * (width - 1) for r in form_rows(f, departments)]
        lines.append([""] * width)
    lines.append(HEADER)
    lines += table_rows(f, indicators)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(lines)  # as Excel writes CSV: CRLF, quotes only when needed
    text = buffer.getvalue()
    return text.encode(style.encoding)


def write_xlsx(f: SampleFile, indicators: dict[str, Indicator], departments: dict[str, str]) -> bytes:
    style = STYLES[f.department]
    header = (["序号"] if style.serial else []) + HEADER
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "填报表"
    if style.title:
        sheet.append([title_text(f, departments)])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.cell(1, 1).font = Font(bold=True, size=14)
        sheet.cell(1, 1).alignment = Alignment(horizontal="center")
    if style.form:
        for r in form_rows(f, departments):
            key, value = r[0].split("：", 1)
            sheet.append([key + "：", value])  # 「填报单位：」 in one cell, the name in the next
        sheet.append([])
    sheet.append(header)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for n, row in enumerate(table_rows(f, indicators), start=1):
        sheet.append(([n] if style.serial else []) + row)
        value_cell = sheet.cell(sheet.max_row, header.index("数值") + 1)
        unit = indicators[row[0]].unit
        if isinstance(value_cell.value, int) and value_cell.value >= 1000:
            value_cell.number_format = "#,##0"
        elif isinstance(value_cell.value, (int, float)) and unit in MONEY_UNITS:
            value_cell.number_format = "0.00"
        elif isinstance(value_cell.value, (int, float)) and unit in ONE_DECIMAL_UNITS:
            value_cell.number_format = "0.0"
    for column, width in zip("ABCDEFG", ([6] if style.serial else []) + [10, 34, 16, 12, 10, 60]):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def _deterministic_zip(data: bytes) -> bytes:
    """The same workbook with fixed member timestamps and a fixed modified time, so reruns give identical bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                                 rb"\g<1>" + FIXED_CORE_TIME.encode() + rb"\g<2>", content)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            member.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(member, content)
    return out.getvalue()


# ---- self-check: the rules of pipelines/intake/validate.py that these files must pass --------------------------------

BOILERPLATE = ("经核实无误", "核实无误", "确认无误", "数据无误", "情况属实", "已核实", "已确认", "无误", "属实",
               "正常", "同上", "没问题", "无异常", "正确", "无", "ok", "确认", "核实")


def real_explanation(note: str) -> bool:
    folded = re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", note).lower())
    if len(folded) < 6:
        return False
    for phrase in BOILERPLATE:
        folded = folded.replace(phrase, "")
    return len(folded) >= 2


def soft_hits(indicators: dict[str, Indicator]) -> list[tuple[str, str, str]]:
    """(code, period, check) for every value that trips a 核实性 rule, walking each series in order."""
    hits = []
    for code, by_period in series_by_period(indicators).items():
        ind = indicators[code]
        if ind.kind == "milestone":
            continue
        previous = None
        periods = list(by_period)
        for n, (period, value) in enumerate(by_period.items()):
            step = end_time(periods[1]) - end_time(periods[0])
            prior_end = end_time(periods[n - 1]) if n else end_time(period) - step
            if n == 0:
                previous = ind.baseline if abs(prior_end - end_time(ind.baseline_period)) < 1e-9 else None
            if ind.kind == "level" and previous is not None:
                if (value < previous) if ind.direction == "increase" else (value > previous):
                    hits.append((code, period, "against-direction"))
                if previous != 0 and abs(value - previous) / abs(previous) > 0.5:
                    hits.append((code, period, "large-change"))
            if ind.target > 0 and value > 2 * ind.target:
                hits.append((code, period, "beyond-twice-target"))
            previous = value
    return hits


def self_check(indicators: dict[str, Indicator], files: list[SampleFile]) -> None:
    problems = []
    for code, by_period in series_by_period(indicators).items():
        ind = indicators[code]
        for period, value in by_period.items():
            if ind.kind == "milestone" and value not in (0, 1):
                problems.append(f"{code} {period}: milestone {value}")
            if ind.unit == "%" and not 0 <= value <= 100:
                problems.append(f"{code} {period}: {value}% out of range")
            if ind.unit in COUNT_UNITS and value != int(value):
                problems.append(f"{code} {period}: count {value} is not whole")
            if ind.unit in MONEY_UNITS and round(value, 2) != value:
                problems.append(f"{code} {period}: money {value} has more than 2 decimals")
    for code, period, check in soft_hits(indicators):
        if not real_explanation(NOTES.get((code, period), "")):
            problems.append(f"{code} {period}: {check} without a real explanation in NOTES")
    for f in files:
        for row in f.rows:
            if end_time(row.period) > end_time(f.quarter):
                problems.append(f"{f.name}: {row.code} {row.period} ends after the file's quarter")
            if quarter_end(f.quarter) >= f.submitted_at.date():
                problems.append(f"{f.name}: sent before its quarter ended")
        if len({(r.code, r.period) for r in f.rows}) != len(f.rows):
            problems.append(f"{f.name}: an indicator and period twice")
    if len({f.name for f in files}) != len(files):
        problems.append("two files share a name")
    if problems:
        raise SystemExit("样例数据自检未通过 / sample self-check failed:\n  " + "\n  ".join(problems))


# ---- main --------------------------------------------------------------------------------------------------

def main() -> int:
    indicators, departments = load_plan()
    missing = sorted(set(indicators) - set(SERIES)) + sorted(set(SERIES) - set(indicators))
    if missing:
        raise SystemExit(f"SERIES and indicators.csv disagree on: {', '.join(missing)}")
    files = plan_files(indicators, departments)
    self_check(indicators, files)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in sorted(OUT_DIR.glob("*")):  # only what this script writes: the submissions and the manifest
        if old.suffix.lower() in (".csv", ".xlsx") and old.is_file():
            old.unlink()
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "department", "submitter", "submitted_at"])
    for f in files:
        style = STYLES[f.department]
        data = write_xlsx(f, indicators, departments) if style.fmt == "xlsx" else write_csv(f, indicators, departments)
        (OUT_DIR / f.name).write_bytes(data)
        writer.writerow([f.name, f.department, style.submitter, f.submitted_at.isoformat(timespec="seconds")])
    (OUT_DIR / MANIFEST).write_bytes(manifest.getvalue().encode("utf-8-sig"))
    rows = sum(len(f.rows) for f in files)
    print(f"已生成 {len(files)} 个示例报送文件（{rows} 行）和 {MANIFEST} → {OUT_DIR.relative_to(ROOT)}")
    print(f"wrote {len(files)} sample files ({rows} rows) and {MANIFEST} to {OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
