"""Write the illustrative (示例) department submissions in data/samples/ and the manifest that loads them in order.

Everything here is invented for demonstration: the values are 示例, not official figures. The script is
deterministic (no randomness, fixed timestamps inside the XLSX files, the same XML writer whether or not lxml is
installed), so running it twice gives the same bytes.

    .venv/bin/python scripts/make_samples.py

It reads every plan folder under data/plans/ (SHGX-2023, the bridge plan ZJCN-2025 and the successor SHGX-2026). A
series (an indicator code) is reported for a period only when some plan targeting it spans that period, and each
department's file for a quarter holds the periods of its own series that end in that quarter.

The story the files tell (see data/samples/README.md):
- most indicators move close to the straight path from their baseline to the 2025 target;
- A02 创新功能性平台 reaches 10 in 2025H1 and C01 硕博士创新实践基地 reaches +6 in 2024 (achieved early);
- A05, A08, A15, B05, B09, C03 lag behind (需关注 / 进度滞后) and some miss the 2025 target;
- D06 公民具备科学素质比例 falls below its baseline in 2024 (regressing), with the reason in 备注;
- 区人才办 (RCB) sends its 2024Q3 file late (26 Nov 2024, due 15 Oct);
- 区商务委 (SWW) misses 2025Q1 and sends it together with 2025Q2;
- 区科委 (KW) corrects its 2025Q1 A13 融资额 in the 2025Q2 file, explaining the correction in 备注;
- annual-kind indicators meet their yearly targets in 2023–2024; C05 人才公寓租金补贴人数 falls short in 2025;
- milestones: C13 分院挂牌 2024Q1, A17 集成电路应用概念验证中心 2025H1, A18 高质量孵化器启动建设 2025Q3;
- from 2025Q2 区科委 also sends a separate 张江长宁园 form for the bridge plan's own series (A22, Z01, Z02), with
  2025Q1 caught up; from 2026 they travel in its one quarterly file;
- 2026Q1–Q3 carry on under SHGX-2026: the series it continues go on smoothly, the adjusted ones (A20 instead of A06,
  B11 instead of B06) and the new ones start in 2026Q1, the dropped ones (A09 apart, kept by ZJCN-2025) stop;
- 区科委 corrects its 2025Q4 A03 (1,012 → 1,003) in its 2026Q1 file, which moves SHGX-2026's `final` baseline;
- 华阳路街道 (HYL) sends 2026Q2 and 区委宣传部 (XCB) sends 2026Q3 late; B13 硅巷街区客厅 opens in 2026H1.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# openpyxl writes its XML with lxml when lxml is installed and with the standard library otherwise; the two differ in
# bytes (`<a/>` against `<a />`). The standard writer every time keeps the files byte-identical on every machine.
os.environ["OPENPYXL_LXML"] = "False"

import openpyxl
from openpyxl.styles import Alignment, Font

ROOT = Path(__file__).resolve().parent.parent
PLANS_DIR = ROOT / "data" / "plans"  # one folder per plan; every one is read
OUT_DIR = ROOT / "data" / "samples"
MANIFEST = "manifest.csv"
DUE_DAYS = 15  # plan.csv due_days: a quarter's file is due on the 15th day after the quarter ends
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # every XLSX member gets this timestamp, so the bytes never change
FIXED_CORE_TIME = "2026-01-01T00:00:00Z"

SAMPLE_YEARS = (2023, 2024, 2025, 2026)
QUARTERS = [f"{y}Q{q}" for y in SAMPLE_YEARS for q in (1, 2, 3, 4)]
HALVES = [f"{y}H{h}" for y in SAMPLE_YEARS for h in (1, 2)]
YEARS = [str(y) for y in SAMPLE_YEARS]
PERIODS = {"quarterly": QUARTERS, "half-yearly": HALVES, "annual": YEARS}
FIRST_FILE, LAST_FILE = "2023Q4", "2026Q3"  # 2026Q4 is not due until January 2027

# The quarter whose files first report a plan's series; earlier periods of its span are caught up in that file.
# SHGX-2023 was released on 2023-11-23; ZJCN-2025's draft closed for comments on 2025-04-29 (its adoption in the
# second quarter is 示例); SHGX-2026 applies from its first quarter.
FIRST_REPORTED = {"SHGX-2023": "2023Q4", "ZJCN-2025": "2025Q2", "SHGX-2026": "2026Q1"}
BRIDGE_PLANS = ("ZJCN-2025",)  # plans that overlap the main cycle; their codes come after the main plan's in a file
# While SHGX-2023 is in force, series it does not target (the bridge plan's own) go on a form of their own.
OWN_FORM_BESIDE = "SHGX-2023"
OWN_FORMS = {"KW": ("{p}_区科委_张江长宁园指标季报.xlsx", "张江高新区长宁园改革创新发展指标", "11:10:00")}

# ---- the story: one value per period, from the first period a plan targeting the series spans ------------------
# (2023Q1 for SHGX-2023's series, 2025Q1 for ZJCN-2025's own, 2026Q1 for SHGX-2026's new ones) up to 2026Q3 /
# 2026H1 / 2025, and only while some plan targeting the series spans the period (so SHGX-2023's dropped series stop
# in 2025). Counts are integers, % within 0–100, money with two decimals. All values are 示例 (illustrative).
SERIES: dict[str, list[float]] = {
    # 区科委 KW
    "A03": [452, 478, 506, 556, 608, 660, 712, 766, 820, 872, 930, 1003,  # 千家目标，2025年四季度达成
            1040, 1078, 1115],  # 2025Q4 先报1012，2026Q1 更正为1003
    "A18": [0] * 10 + [1, 1],  # 2025-09-01 启动建设
    "A10": [7.15, 7.35, 7.88, 8.37, 7.20, 7.65, 8.10, 8.75, 7.25, 7.90, 8.30, 8.65, 7.60, 8.35, 8.90],
    "A13": [8.40, 8.55, 9.10, 9.15, 8.45, 8.90, 9.40, 9.00, 8.46, 9.75, 9.05, 9.90,  # 2025Q1 先报9.26，后更正
            8.80, 10.20, 9.60],
    "B06": [92.8, 93.3, 93.8, 94.3, 94.7, 95.2, 95.6, 96.1, 96.6, 97.0, 97.5, 98.2],  # 2026年起由B11（新口径）接续
    "A04": [10, 12, 14, 16, 18, 20, 22],
    "A02": [4, 6, 7, 8, 10, 10, 11],  # 提前达成（2025年上半年达到10个）
    "A17": [0, 0, 0, 0, 1, 1],  # 2025-02-12 启用
    "D01": [1, 1, 1, 2, 1, 1, 1],
    "D04": [17, 25, 31, 38, 44, 51, 56],
    "A07": [96, 113, 131],
    "A08": [15, 19, 24],  # 滞后，2025年未达标
    "A01": [0, 1, 1],
    "A09": [0, 0, 2],  # SHGX-2026 不再列入，ZJCN-2025 继续到2026年
    "D07": [4, 7, 10],
    "C12": [0, 2, 2],
    # 华阳路街道 HYL
    "B07": [9.6, 9.2, 8.8, 8.3, 8.9, 7.6, 7.2, 6.8, 6.4, 6.0, 5.6, 4.9, 4.8, 4.7, 4.5],  # 2024Q1 春节因素回升
    "D02": [5, 5, 5, 6, 5, 6, 5, 7, 5, 6, 6, 6, 6, 7, 6],
    "A15": [17.2, 16.3, 15.4, 14.6, 13.8, 12.9, 12.1],  # 空置率下降偏慢（需关注）
    "B02": [4, 6, 8, 10, 12, 15, 17],
    "P05": [6, 6, 6, 7, 6, 7, 6],
    "B01": [3, 4, 5],
    # 区科协 KX
    "D05": [15, 16, 18, 14, 15, 17, 19, 14, 15, 15, 18, 15, 16, 17, 19],
    "P06": [10, 10, 12, 9, 10, 11, 12, 9, 10, 10, 12, 10, 11, 12, 13],
    "D06": [29.9, 29.1, 30.3],  # 2024年低于基线（倒退），备注说明
    "D09": [5, 6, 6],
    "P02": [8, 10, 12],
    "P03": [7, 9, 10],
    "P04": [16, 17, 18],  # 2026年起由P07（硅巷范围）接续
    # 区委宣传部 XCB
    "B08": [12, 13, 14, 14, 12, 14, 16, 17, 12, 13, 14, 15, 14, 15, 16],
    # 区人才办 RCB
    "C05": [24, 25, 27, 27, 24, 27, 28, 26, 18, 20, 22, 25,  # 2025年合计85人，未达年度目标100人
            22, 25, 27],
    "C06": [72.10, 72.30, 75.60, 82.80, 71.60, 76.80, 79.50, 86.95, 72.40, 76.15, 78.80, 80.60,
            74.50, 82.30, 86.40],
    "C02": [3, 4, 6],
    "C03": [4, 6, 9],
    # 团区委 TQW
    "C13": [0, 0, 0, 0, 1, 1, 1, 1],  # 2024年一季度挂牌；目标期2024年后不再填报
    "D03": [3, 2, 3, 3, 3, 2, 3],
    "C11": [86, 104, 92],
    "C09": [5, 8, 10],
    # 区商务委 SWW
    "A06": [159, 168, 177, 185, 194, 203, 211, 220, 229, 238, 247, 262],  # 2026年起由A20（重点赛道）接续
    # 区规划资源局 GHZY
    "A11": [11.0, 12.0, 12.9, 13.9, 14.9, 16.2, 17.1],
    "B09": [2, 3, 4],
    "B05": [60, 80, 100],  # 五大系统达标数/5
    # 江苏路街道 JSL
    "B10": [4, 6, 8, 9, 11, 12, 14],
    "B03": [4, 6, 8],
    "B04": [8, 9, 10],
    # 区发改委 FGW / 区建管委 JGW / 区市场监管局 SCJG / 区委组织部 ZZB
    "A05": [2, 2, 4],
    "A12": [4, 7, 10],
    "A14": [2058, 2318, 2612],
    "P01": [88.5, 91.8, 95.3],
    # 区教育局 JYJ
    "C08": [11, 13, 15],  # 2026年起由C16（硅巷范围）接续
    "C14": [3, 4, 6],
    "C15": [6, 7, 8],
    # 区人社局 RSJ
    "C04": [17, 19, 20],
    "C07": [6, 7, 8],
    "C01": [2, 6, 7],  # 2024年提前达成 +6
    # ZJCN-2025 的自有序列（2025年起）：区科委 KW
    "A22": [52, 57, 63, 70, 76, 81, 88],  # 2025Q1—2026Q3；SHGX-2026 亦列为新增指标（基期70）
    "Z01": [431],
    "Z02": [40],
    # SHGX-2026 调整口径和新增的序列（2026年起）
    "A20": [291, 299, 308],  # 区商务委：接续A06，新赛道目录自2026年一季度执行
    "B11": [95.9, 96.3, 96.6],  # 区科委：接续B06，含12345转办诉求
    "A24": [0, 0, 0],  # 区科委：高质量孵化器建成运营（目标2027年）
    "A23": [7],  # 区科委：2026年上半年
    "B12": [92.1],  # 区科委：2026年上半年
    "C16": [],  # 区教育局：年报，2026年数据2027年1月报送
    "C17": [128, 150, 168],  # 区人才办
    "B13": [1],  # 华阳路街道：2026年上半年建成开放（提前于2027年目标）
    "P07": [],  # 区科协：年报，2026年数据2027年1月报送
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
    ("A20", "2026Q1"): "2026年起按新的重点赛道目录统计，新纳入人工智能、集成电路赛道企业，历史数据不追溯调整",
    ("B11", "2026Q1"): "2026年起纳入12345市民服务热线转办的企业诉求，按新口径统计",
    ("B13", "2026H1"): "2026年6月定西路沿线硅巷街区客厅建成并对外开放",
    ("C17", "2026Q2"): "定西路人才公寓新增房源22套投入使用",
    ("Z01", "2025"): "按张江高新区长宁园口径统计全区有效期内国家高新技术企业",
}

# A value first sent one way and corrected in a later file: (code, period) → (first value, file that corrects it, note)
# The first report keeps its own 备注 (NOTES), if any.
REVISIONS: dict[tuple[str, str], tuple[float, str, str]] = {
    ("A13", "2025Q1"): (9.26, "2025Q2",
                        "数据更正：一季度原报9.26亿元误含一笔4月到账的0.80亿元融资，按到账时间计入二季度，更正为8.46亿元"),
    ("A03", "2025Q4"): (1012, "2026Q1",
                        "数据更正：经复核，2025年四季度新认定名单中有9家企业注册地和实际经营地均不在1.48平方公里硅巷范围内，"
                        "予以剔除，四季度末存量由1012家更正为1003家"),
}
STOP_AFTER = {"C13": "2024Q4"}  # a milestone with target 2024: the department stops reporting it after 2024
MONEY_UNITS = {"亿元", "万元"}
ONE_DECIMAL_UNITS = {"%", "天", "万平方米"}
COUNT_UNITS = set(["个", "家", "人", "项", "次", "场", "件", "篇", "栋", "支", "所", "套"])


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

# A file name a department adopts from a quarter on (区商务委 names its file after the 2026 track list).
NAME_FROM = {"SWW": ("2026Q1", "{p}_区商务委_重点赛道企业数.xlsx")}

# Exceptions to the usual rhythm.
LATE = {
    ("RCB", "2024Q3"): dt.datetime(2024, 11, 26, 16, 45),  # due 2024-10-15: sent six weeks late
    ("HYL", "2026Q2"): dt.datetime(2026, 7, 22, 15, 20),  # due 2026-07-15: a week late
    ("XCB", "2026Q3"): dt.datetime(2026, 10, 27, 16, 5),  # due 2026-10-15: twelve days late
}
MISSED = {("SWW", "2025Q1"): "2025Q2"}  # never sent on its own; its rows travel with the 2025Q2 file
RENAMED = {("SWW", "2025Q2"): "2025Q2_区商务委_六大赛道企业数（含一季度补报）.xlsx"}
FULL_WIDTH = {("D05", "2024Q3")}  # typed with a full-width IME: １９
KW_PERCENT = {"B06": {"2024Q4", "2025Q4"}}  # 区科委 writes B06 with a % sign in these periods

CN_QUARTER = {1: "一", 2: "二", 3: "三", 4: "四"}
HEADER = ["指标编码", "指标名称", "统计期", "数值", "单位", "备注"]


@dataclass(frozen=True)
class Indicator:
    """A series: what every plan targeting the code shares (name, unit, kind, direction, owner, frequency)."""

    code: str
    name: str
    unit: str
    kind: str
    direction: str
    department: str
    frequency: str


@dataclass(frozen=True)
class Target:
    """One plan's target of a series: baseline (None for `final`), target, and the code it continues."""

    plan: str
    baseline: float | None
    baseline_period: str
    target: float
    continues: str


@dataclass(frozen=True)
class Plan:
    code: str
    start: str
    end: str
    codes: tuple[str, ...]  # its indicator codes in the order of its indicators.csv

    def spans(self, period: str) -> bool:
        """Whether a period lies within the plan's start_period..end_period."""
        return start_time(self.start) - 1e-9 <= start_time(period) and end_time(period) <= end_time(self.end) + 1e-9


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
    form: str = ""  # "" for the department's usual file; a plan code for a form of that plan's own series
    rows: list[Row] = field(default_factory=list)
    name: str = ""
    submitted_at: dt.datetime | None = None
    catch_up: str = ""  # the 报告期 remark when the file catches up periods before its quarter


@dataclass(frozen=True)
class Plans:
    """Every plan folder read: the plans, the series they target, each plan's targets, the departments."""

    plans: dict[str, Plan]
    indicators: dict[str, Indicator]
    targets: dict[str, list[Target]]
    departments: dict[str, str]

    def targeting(self, code: str) -> list[Plan]:
        return [self.plans[t.plan] for t in self.targets[code]]


# ---- plans -------------------------------------------------------------------------------------------------

SERIES_COLUMNS = ("name_zh", "unit", "kind", "direction", "department", "frequency")


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def load_plans() -> Plans:
    """Every folder under data/plans/; a code shared by two plans must agree on what the series is."""
    plans: dict[str, Plan] = {}
    indicators: dict[str, Indicator] = {}
    targets: dict[str, list[Target]] = {}
    departments: dict[str, str] = {}
    problems = []
    for folder in sorted(p for p in PLANS_DIR.iterdir() if (p / "plan.csv").is_file()):
        (info,) = read_csv(folder / "plan.csv")
        rows = read_csv(folder / "indicators.csv")
        plans[info["code"]] = Plan(info["code"], info["start_period"], info["end_period"],
                                   tuple(r["code"] for r in rows))
        for r in rows:
            series = Indicator(r["code"], *(r[c] for c in SERIES_COLUMNS))
            if indicators.setdefault(r["code"], series) != series:
                problems.append(f"{r['code']}: {folder.name} disagrees with another plan on {SERIES_COLUMNS}")
            baseline = None if r["baseline"].strip().lower() == "final" else float(r["baseline"])
            targets.setdefault(r["code"], []).append(Target(info["code"], baseline, r["baseline_period"],
                                                            float(r["target"]), r.get("continues", "")))
        for r in read_csv(folder / "departments.csv"):
            if departments.setdefault(r["code"], r["name_zh"]) != r["name_zh"]:
                problems.append(f"department {r['code']}: {folder.name} names it {r['name_zh']}")
    if problems:
        raise SystemExit("方案之间不一致 / plans disagree:\n  " + "\n  ".join(problems))
    return Plans(plans, indicators, targets, departments)


# ---- periods -----------------------------------------------------------------------------------------------

def end_time(period: str) -> float:
    """2025Q3 → 2025.75, 2025H1 → 2025.5, 2025 → 2026.0 (as pipelines.core.periods does)."""
    m = re.fullmatch(r"(\d{4})(?:([QH])([1-4]))?", period)
    assert m, period
    year, kind, index = int(m.group(1)), m.group(2), int(m.group(3) or 1)
    return year + index / {"Q": 4, "H": 2, None: 1}[kind]


def start_time(period: str) -> float:
    """2025Q3 → 2025.5, 2025H1 → 2025.0, 2025 → 2025.0."""
    length = 1.0 if len(period) == 4 else 0.25 if period[4] == "Q" else 0.5
    return end_time(period) - length


def quarter_of(period: str) -> str:
    """The quarter a period ends in: 2025H1 → 2025Q2, 2025 → 2025Q4."""
    end = end_time(period)
    return next(q for q in QUARTERS if abs(end_time(q) - end) < 1e-9)


def previous_period(period: str) -> str:
    """The period before, of the same kind: 2026Q1 → 2025Q4, 2026H1 → 2025H2, 2026 → 2025."""
    if len(period) == 4:
        return str(int(period) - 1)
    year, kind, index = int(period[:4]), period[4], int(period[5])
    if index > 1:
        return f"{year}{kind}{index - 1}"
    return f"{year - 1}{kind}{4 if kind == 'Q' else 2}"


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

def reported_periods(plans: Plans, code: str) -> list[str]:
    """The periods a series is reported for: spanned by a plan targeting it, ended by the last file's quarter."""
    last = end_time(LAST_FILE) + 1e-9
    periods = [p for p in PERIODS[plans.indicators[code].frequency]
               if end_time(p) <= last and any(plan.spans(p) for plan in plans.targeting(code))]
    if code in STOP_AFTER:
        periods = [p for p in periods if end_time(p) <= end_time(STOP_AFTER[code])]
    return periods


def series_by_period(plans: Plans) -> dict[str, dict[str, float]]:
    out = {}
    for code in plans.indicators:
        periods, values = reported_periods(plans, code), SERIES[code]
        if len(values) != len(periods):
            raise SystemExit(f"{code}: {len(values)} values for {len(periods)} periods "
                             f"({periods[0] if periods else '—'}…{periods[-1] if periods else '—'})")
        out[code] = dict(zip(periods, values))
    return out


def first_reported(plans: Plans, code: str) -> str:
    """The quarter whose file first carries a series: the earliest FIRST_REPORTED of the plans targeting it."""
    return min((FIRST_REPORTED[p.code] for p in plans.targeting(code)), key=end_time)


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

def plan_files(plans: Plans) -> list[SampleFile]:
    values = series_by_period(plans)
    files: dict[tuple[str, str, str], SampleFile] = {}
    for quarter in QUARTERS[QUARTERS.index(FIRST_FILE):QUARTERS.index(LAST_FILE) + 1]:
        for dept in plans.departments:
            rows = [Row(code, period, value, NOTES.get((code, period), ""))
                    for code, ind in plans.indicators.items() if ind.department == dept
                    for period, value in values[code].items() if _reported_in(plans, code, period) == quarter]
            for row in rows:
                revised = REVISIONS.get((row.code, row.period))
                if revised:  # the first report carries the value later corrected
                    row.value = revised[0]
                elif end_time(row.period) < end_time(quarter) and not row.note:
                    row.note = _catch_up_note(row.period)
            target = MISSED.get((dept, quarter), quarter)
            for row in rows:
                form = _form(plans, row.code, target)
                key = (dept, target, form)
                f = files.setdefault(key, SampleFile(dept, target, form))
                f.rows.append(row)
                if end_time(row.period) < end_time(quarter):
                    f.catch_up = _catch_up_label(row.period)
    for (code, period), (_, quarter, note) in REVISIONS.items():
        dept = plans.indicators[code].department
        files[(dept, quarter, _form(plans, code, quarter))].rows.append(Row(code, period, values[code][period], note))
    for f in files.values():
        order = _code_order(plans, f)
        f.rows.sort(key=lambda r: (order.index(r.code), end_time(r.period)))
        f.name = _file_name(f)
        f.submitted_at = _submitted_at(f)
    return sorted(files.values(), key=lambda f: (f.submitted_at, f.name))


def _reported_in(plans: Plans, code: str, period: str) -> str:
    """The quarter whose file carries a period: the one it ends in, or the series' first file if that is later."""
    return max(quarter_of(period), first_reported(plans, code), key=end_time)


def _form(plans: Plans, code: str, quarter: str) -> str:
    """While OWN_FORM_BESIDE is in force, a series it does not target goes on its bridge plan's own form."""
    main = plans.plans[OWN_FORM_BESIDE]
    if end_time(quarter) > end_time(main.end) + 1e-9 or code in main.codes:
        return ""
    return next(p.code for p in plans.targeting(code) if p.code in BRIDGE_PLANS)


def _catch_up_note(period: str) -> str:
    return "2023年补报" if period.startswith("2023") else f"{spell(period, 'cn')}补报"


def _catch_up_label(period: str) -> str:
    if period.startswith("2023"):
        return "（含2023年前三季度补报）"
    return f"（含{spell(period, 'cn')}补报）"


def _code_order(plans: Plans, f: SampleFile) -> list[str]:
    """Codes in the order of the plans in force in the file's quarter: the main plan's first, then a bridge plan's."""
    if f.form:
        return list(plans.plans[f.form].codes)
    in_force = sorted((p for p in plans.plans.values() if p.spans(f.quarter)),
                      key=lambda p: (p.code in BRIDGE_PLANS, end_time(p.start)))
    order = [c for p in in_force for c in p.codes]
    return list(dict.fromkeys(order + list(plans.indicators)))


def _file_name(f: SampleFile) -> str:
    if (f.department, f.quarter) in RENAMED and not f.form:
        return RENAMED[(f.department, f.quarter)]
    pattern = STYLES[f.department].name
    if f.form:
        pattern = OWN_FORMS[f.department][0]
    elif f.department in NAME_FROM and end_time(f.quarter) >= end_time(NAME_FROM[f.department][0]):
        pattern = NAME_FROM[f.department][1]
    q = int(f.quarter[-1])
    return pattern.format(p=f.quarter, y=f.quarter[:4], q=q, cnq=CN_QUARTER[q])


def _submitted_at(f: SampleFile) -> dt.datetime:
    if (f.department, f.quarter) in LATE and not f.form:
        return LATE[(f.department, f.quarter)]
    style = STYLES[f.department]
    due = due_date(f.quarter)
    day = dt.date(due.year, due.month, min(style.day, DUE_DAYS - 1))
    time = OWN_FORMS[f.department][2] if f.form else style.time
    return dt.datetime.combine(day, dt.time.fromisoformat(time))


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


def form_title(f: SampleFile) -> str:
    """What the form reports on: the 硅巷 indicators, or a bridge plan's own on a form of their own."""
    return OWN_FORMS[f.department][1] if f.form else "上海硅巷建设指标"


def form_rows(f: SampleFile, departments: dict[str, str]) -> list[list[str]]:
    style = STYLES[f.department]
    label = report_label(f) + f.catch_up
    if (f.department, f.quarter) in RENAMED and not f.form:
        label += "（含2025年第一季度补报）"
    rows = [[f"表名：{form_title(f)}季度报送表（示例数据）"], [f"报告期：{label}"],
            [f"填报单位：{departments[f.department]}"], [f"填报人：{style.submitter}"]]
    if style.phone:
        rows.append([f"联系电话：{style.phone}"])
    return rows


def title_text(f: SampleFile, departments: dict[str, str]) -> str:
    extra = "，含2025年第一季度补报" if (f.department, f.quarter) in RENAMED and not f.form else ""
    return f"{departments[f.department]}{form_title(f)}报送表（{report_label(f)}{extra}，示例数据）"


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


def soft_hits(plans: Plans) -> list[tuple[str, str, str]]:
    """(code, period, check) for every value that trips a 核实性 rule against any plan targeting the series, walking
    each series in order (the previous value is the series' own, else a plan's baseline just before it)."""
    values = series_by_period(plans)
    hits = []
    for code, by_period in values.items():
        ind = plans.indicators[code]
        if ind.kind == "milestone":
            continue
        targets = [(t, resolved_baseline(plans, values, code, t)) for t in plans.targets[code]]
        for period, value in by_period.items():
            prior = previous_period(period)
            previous = by_period.get(prior)
            if previous is None:
                previous = next((b for t, b in targets if b is not None and end_time(prior) <= end_time(
                    t.baseline_period) + 1e-9 < end_time(period)), None)
            if ind.kind == "level" and previous is not None:
                if (value < previous) if ind.direction == "increase" else (value > previous):
                    hits.append((code, period, "against-direction"))
                if previous != 0 and abs(value - previous) / abs(previous) > 0.5:
                    hits.append((code, period, "large-change"))
            for t, baseline in targets:
                if ind.direction == "decrease" and baseline is None:
                    continue  # the scale of a smaller-is-better series needs its baseline
                scale = t.target if ind.direction == "increase" else max(t.target, baseline or 0)
                if scale > 0 and value > 2 * scale:
                    hits.append((code, period, "beyond-twice-target"))
                    break
    return hits


def resolved_baseline(plans: Plans, values: dict[str, dict[str, float]], code: str, t: Target) -> float | None:
    """A plan's baseline; for `final`, the continued series' value at the baseline period (an annual-kind series'
    total for the year), as the loader resolves it once the value is in the store."""
    if t.baseline is not None:
        return t.baseline
    source = values.get(t.continues or code, {})
    year, last = t.baseline_period[:4], end_time(t.baseline_period) + 1e-9
    within = [v for p, v in source.items() if p[:4] == year and end_time(p) <= last]
    if not within:
        return None
    return round(sum(within), 2) if plans.indicators[code].kind == "annual" else within[-1]


def self_check(plans: Plans, files: list[SampleFile]) -> None:
    problems = []
    for code, by_period in series_by_period(plans).items():
        ind = plans.indicators[code]
        for period, value in by_period.items():
            if ind.kind == "milestone" and value not in (0, 1):
                problems.append(f"{code} {period}: milestone {value}")
            if ind.unit == "%" and not 0 <= value <= 100:
                problems.append(f"{code} {period}: {value}% out of range")
            if ind.unit in COUNT_UNITS and value != int(value):
                problems.append(f"{code} {period}: count {value} is not whole")
            if ind.unit in MONEY_UNITS and round(value, 2) != value:
                problems.append(f"{code} {period}: money {value} has more than 2 decimals")
    for code, period, check in soft_hits(plans):
        if not real_explanation(NOTES.get((code, period), "")):
            problems.append(f"{code} {period}: {check} without a real explanation in NOTES")
    for f in files:
        problems += _file_problems(plans, f)
    if len({f.name for f in files}) != len(files):
        problems.append("two files share a name")
    if problems:
        raise SystemExit("样例数据自检未通过 / sample self-check failed:\n  " + "\n  ".join(problems))


def _file_problems(plans: Plans, f: SampleFile) -> list[str]:
    """A file sent after its quarter, holding only its department's series for periods some plan targeting them
    spans, each once."""
    problems = []
    if quarter_end(f.quarter) >= f.submitted_at.date():
        problems.append(f"{f.name}: sent before its quarter ended")
    for row in f.rows:
        if end_time(row.period) > end_time(f.quarter):
            problems.append(f"{f.name}: {row.code} {row.period} ends after the file's quarter")
        if plans.indicators[row.code].department != f.department:
            problems.append(f"{f.name}: {row.code} belongs to {plans.indicators[row.code].department}")
        if not any(p.spans(row.period) for p in plans.targeting(row.code)):
            problems.append(f"{f.name}: {row.code} {row.period} lies outside every plan targeting it")
        if f.form and row.code in plans.plans[OWN_FORM_BESIDE].codes:
            problems.append(f"{f.name}: {row.code} belongs on the usual file, not the {f.form} form")
    if len({(r.code, r.period) for r in f.rows}) != len(f.rows):
        problems.append(f"{f.name}: an indicator and period twice")
    return problems


def plans_of(f: SampleFile, plans: Plans) -> list[str]:
    """The plans a file reports for (the manifest's `plans`: a store loads it when it holds them all): for each row,
    the main-cycle plan that targets its series over its period, else the bridge plan that does."""
    needed: set[str] = set()
    for row in f.rows:
        covering = [p for p in plans.targeting(row.code) if p.spans(row.period)]
        covering.sort(key=lambda p: (p.code in BRIDGE_PLANS, start_time(p.start)))
        needed.add(covering[0].code)
    return sorted(needed, key=lambda code: start_time(plans.plans[code].start))


# ---- 重点任务 reports (示例) -------------------------------------------------------------------------------------

# (quarter, department, plan, submitted on, [(task, 进展情况, 完成状态, 完成时间, 延期至)]): each department's quarterly
# report of its own tasks, as a file of its own. Invented for illustration (示例), like every sample figure; T02 and
# T05 are left 逾期 at the plan's end, T09 asked for an extension in time and had it granted.
TASK_REPORTS: list[tuple[str, str, str, str, list[tuple[str, str, str, str, str]]]] = [
    ("2023Q4", "TQW", "SHGX-2023", "2024-01-09T10:20:00", [
        ("T01", "分院通过上海青少年创新学院专家组现场鉴评，同意授牌，正在筹备挂牌仪式", "推进中", "", ""),
        ("T03", "联合11家区域内青少年创新实验室梳理游学点位，形成地图初稿", "推进中", "", ""),
        ("T10", "从中科院微系统所等单位遴选5位专家学者担任创新学院导师，服务手册已完成设计", "推进中", "", "")]),
    ("2023Q4", "RSJ", "SHGX-2023", "2024-01-10T15:00:00", [
        ("T02", "首届大赛完成报名和初赛，联合全球名校学联和长三角中外合作办学院校组织参赛", "推进中", "", ""),
        ("T04", "梳理首批校企合作需求，起草“揭榜挂帅”项目发布办法", "推进中", "", ""),
        ("T06", "梳理新增海外人才服务事项清单，与虹桥海外人才一站式服务中心对接", "推进中", "", "")]),
    ("2023Q4", "RCB", "SHGX-2023", "2024-01-11T09:30:00", [
        ("T07", "完成街区内人才服务站点选址，华阳路、江苏路街道各设首批站点", "推进中", "", ""),
        ("T08", "《留学回国（境）人员过渡期内租住人才公寓专项支持政策》已印发实施", "推进中", "", "")]),
    ("2024Q1", "TQW", "SHGX-2023", "2024-04-09T10:00:00", [
        ("T01", "挂牌仪式方案已确定，场地改造完成", "推进中", "", ""),
        ("T03", "青少年科创游学地图及6条线路在全市率先发布", "已完成", "2024-03-20", ""),
        ("T10", "服务手册在创新学院、数字长宁体验馆等点位投放", "已完成", "2024-03-28", "")]),
    ("2023Q4", "ZZB", "SHGX-2023", "2024-01-12T11:00:00", [
        ("T13", "硅巷区域化党建联盟成立，院所、企业和华阳路、江苏路街道党组织首批加入", "已完成", "2023-12-15", "")]),
    ("2024Q2", "GHZY", "SHGX-2023", "2024-07-11T10:00:00", [
        ("T14", "1.48平方公里核心区空间规划经区政府批复", "已完成", "2024-06-20", "")]),
    ("2024Q3", "KX", "SHGX-2023", "2024-10-10T09:40:00", [
        ("T12", "定西路硅巷科学墙建成开放，首期展示12位科学家故事", "已完成", "2024-09-20", "")]),
    ("2025Q1", "KW", "SHGX-2023", "2025-04-09T14:00:00", [
        ("T11", "集成电路应用概念验证中心在硅巷No.1启用，首批受理验证项目5个", "已完成", "2025-02-12", "")]),
    ("2024Q2", "TQW", "SHGX-2023", "2024-07-08T11:00:00", [
        ("T01", "上海青少年创新学院长宁分院于6月18日正式挂牌成立", "已完成", "2024-06-18", "")]),
    ("2024Q2", "RCB", "SHGX-2023", "2024-07-09T14:30:00", [
        ("T07", "街区内服务站点布设过半，15分钟人才服务圈覆盖华阳路、江苏路街道", "推进中", "", ""),
        ("T08", "留学生人才公寓首批房源投入使用，首批12人入住并享受租金补贴", "已完成", "2024-06-25", "")]),
    ("2024Q2", "JYJ", "SHGX-2023", "2024-07-10T09:15:00", [
        ("T09", "延安中学、复旦中学与高校的合作协议已签署，市三女中合作方仍在洽谈，申请延至年底完成挂牌",
         "申请延期", "", "2025-12-31")]),
    ("2024Q4", "RSJ", "SHGX-2023", "2025-01-10T10:40:00", [
        ("T02", "大赛决赛因合作院校调整推迟举办，已确定于2025年春季举行", "推进中", "", ""),
        ("T04", "首批6个“揭榜挂帅”校企合作项目发布，4个已签约落地", "已完成", "2024-12-20", ""),
        ("T05", "新增硕博士创新实践基地3家，博士后科研工作站申报材料已报送", "推进中", "", ""),
        ("T06", "“17+N”海外人才服务事项全部上线运行", "已完成", "2024-12-15", "")]),
    ("2025Q4", "RSJ", "SHGX-2023", "2026-01-12T10:00:00", [
        ("T05", "博士后科研工作站申报通过市级评审，待人社部门正式批复", "推进中", "", "")]),
    ("2025Q4", "RCB", "SHGX-2023", "2026-01-13T09:00:00", [
        ("T07", "街区内人才服务站点全部建成，服务网络实现区域全覆盖", "已完成", "2025-12-10", "")]),
    ("2025Q4", "JYJ", "SHGX-2023", "2026-01-14T16:00:00", [
        ("T09", "三所学校与交通大学、华东师范大学、复旦大学、外国语大学合作的学科基地均已挂牌运行", "已完成",
         "2025-11-28", "")]),
    ("2026Q3", "RCB", "SHGX-2026", "2026-10-12T10:30:00", [
        ("T23", "完成现行人才公寓租金补贴政策实施评估，修订稿征求意见中", "推进中", "", "")]),
    ("2026Q3", "HYL", "SHGX-2026", "2026-10-13T15:20:00", [
        ("T24", "三个补短板项目中两个已开工，社区食堂项目因选址调整尚未开工", "推进中", "", "")]),
]
TASK_COLUMNS = ["任务编码", "统计期", "进展情况", "完成状态", "完成时间", "延期至", "备注"]


def task_files(departments: dict[str, str]) -> list[tuple[str, str, str, str, bytes]]:
    """(file name, department, plan, submitted at, bytes) of each 重点任务 report: CSV in UTF-8 with BOM."""
    out = []
    for quarter, department, plan, sent, rows in TASK_REPORTS:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(TASK_COLUMNS)
        for code, progress, state, done_on, new_due in rows:
            writer.writerow([code, quarter_label(quarter), progress, state, done_on, new_due, "示例数据"])
        name = f"{quarter}_{departments[department]}_重点任务进展.csv"
        out.append((name, department, plan, sent, buffer.getvalue().encode("utf-8-sig")))
    return out


# ---- main --------------------------------------------------------------------------------------------------

def main() -> int:
    plans = load_plans()
    missing = sorted(set(plans.indicators) - set(SERIES)) + sorted(set(SERIES) - set(plans.indicators))
    if missing:
        raise SystemExit(f"SERIES and the plans' indicators.csv disagree on: {', '.join(missing)}")
    files = plan_files(plans)
    self_check(plans, files)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in sorted(OUT_DIR.glob("*")):  # only what this script writes: the submissions and the manifest
        if old.suffix.lower() in (".csv", ".xlsx") and old.is_file():
            old.unlink()
    manifest = io.StringIO()
    writer = csv.writer(manifest, lineterminator="\n")
    writer.writerow(["file", "department", "submitter", "submitted_at", "plans"])
    entries = []
    for f in files:
        style = STYLES[f.department]
        write = write_xlsx if style.fmt == "xlsx" else write_csv
        (OUT_DIR / f.name).write_bytes(write(f, plans.indicators, plans.departments))
        entries.append([f.name, f.department, style.submitter, f.submitted_at.isoformat(timespec="seconds"),
                        ";".join(plans_of(f, plans))])
    for name, department, plan, sent, data in task_files(plans.departments):
        (OUT_DIR / name).write_bytes(data)
        entries.append([name, department, STYLES[department].submitter, sent, plan])
    writer.writerows(sorted(entries, key=lambda entry: entry[3]))  # loaded in the order they were sent
    (OUT_DIR / MANIFEST).write_bytes(manifest.getvalue().encode("utf-8-sig"))
    rows, tasks = sum(len(f.rows) for f in files), len(TASK_REPORTS)
    print(f"已生成 {len(files)} 个示例报送文件（{rows} 行）、{tasks} 个重点任务进展文件和 {MANIFEST} → "
          f"{OUT_DIR.relative_to(ROOT)}")
    print(f"wrote {len(files)} sample files ({rows} rows), {tasks} task-report files and {MANIFEST} to "
          f"{OUT_DIR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
