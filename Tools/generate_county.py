#!/usr/bin/env python3
"""Generate a fictional county (banner) as Gridbook seed CSV files.

What it is for
    Gridbook imports a directory of CSV files (SPEC.md section 4).  This script
    writes such a directory for a realistic, entirely fictional banner, 青山旗
    (code 150599): townships, villages/嘎查/社区, grids and blocks, the visit
    categories, the people and their duties (grid members, block heads, paired
    police, auxiliary police, township staff, mediators, county
    administrators), grid party groups, households and one year of household
    visits ending at --end-date.  It is used for the committed demo data and,
    at larger sizes, for benchmarks.

    Names, addresses, phone numbers and ID numbers are made up (ID numbers are
    well formed, with a correct ISO 7064 MOD 11-2 check digit, but belong to
    nobody).  The output is fully determined by the arguments: the same
    --seed and sizes give byte-identical files.

How the demo was produced (from the repository root)
    python3 Tools/generate_county.py --out Seeds/demo
    (defaults: --seed 2026 --villages 24 --townships 4 --grids 150
     --households 8000 --end-date 2026-11-20, visits by schedule)

Benchmark size (about the size of a real banner, 扎鲁特旗)
    python3 Tools/generate_county.py --out /tmp/bench_county \\
        --villages 218 --grids 1393 --households 100000 --visits 2000000

Visits follow each household's interval (the smallest interval of its
categories, else general's 90 days) with jitter.  Most grids keep about 85-97%
of households within their interval on the end date; one township (the first
苏木 after the first township) and about 5% of the other grids are neglected,
and a few grids lost their grid member without replacement, so a coverage
report has something to show.  With --visits N exactly N visits are written:
the schedule is computed first and then scaled per household.

Only the Python 3.11 standard library is used.  Progress goes to stderr when
stderr is a terminal; a one-line summary is always printed to stderr.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import os
import random
import sys
import uuid
from dataclasses import dataclass, field

COUNTY_CODE = "150599"
COUNTY_NAME = "青山旗"
DEFAULT_SEED = 2026
DEFAULT_END_DATE = "2026-11-20"
DEFAULT_VILLAGES = 24
GRIDS_PER_VILLAGE = 6.25          # 24 villages -> 150 grids
HOUSEHOLDS_PER_GRID = 160 / 3     # 150 grids -> 8,000 households

# (code, label, interval_days), in the order written to categories.csv.
CATEGORIES = [
    ("general", "一般户", 90),
    ("elderly_alone", "独居/留守高龄老人", 7),
    ("elderly_key", "重点老人（失能、失智、分散特困）", 30),
    ("mental_unstable", "严重精神障碍患者（不稳定）", 14),
    ("mental_stable", "严重精神障碍患者（稳定）", 90),
    ("corrections_strict", "社区矫正对象（严管）", 7),
    ("corrections", "社区矫正对象（普管）", 30),
    ("released", "刑满释放人员（五年内）", 90),
    ("drug_rehab", "社区戒毒康复人员", 14),
    ("hardship", "困难家庭", 30),
    ("migrant_renter", "流动租住人员", 30),
    ("empty_nest", "空巢老人家庭", 30),
]
INTERVAL = {code: days for code, _, days in CATEGORIES}
CATEGORY_ORDER = {code: i for i, (code, _, _) in enumerate(CATEGORIES)}

# Relative frequency of each tag, rural vs urban (社区) households.
TAG_WEIGHTS_RURAL = {
    "empty_nest": 26, "elderly_key": 18, "hardship": 18, "elderly_alone": 8,
    "migrant_renter": 3, "mental_stable": 5, "mental_unstable": 1.5,
    "released": 4, "corrections": 2, "corrections_strict": 0.5, "drug_rehab": 0.8,
}
TAG_WEIGHTS_URBAN = {
    "empty_nest": 24, "elderly_key": 16, "hardship": 12, "elderly_alone": 6,
    "migrant_renter": 24, "mental_stable": 5, "mental_unstable": 1.5,
    "released": 4, "corrections": 2.5, "corrections_strict": 0.6, "drug_rehab": 1.5,
}
# Pairs of tags that do not go together on one household.
TAG_EXCLUSIVE = [
    {"elderly_alone", "empty_nest"}, {"elderly_alone", "migrant_renter"},
    {"mental_stable", "mental_unstable"}, {"corrections", "corrections_strict"},
]

# Townships: (name, kind).  kind: town 镇, sumu 苏木, street 街道.
TOWNSHIPS = [
    ("鲁北镇", "town"), ("巴彦塔拉苏木", "sumu"), ("黄花山镇", "town"),
    ("前进街道", "street"), ("香山镇", "town"), ("格日朝鲁苏木", "sumu"),
    ("新城街道", "street"), ("嘎亥图镇", "town"), ("乌力吉木仁苏木", "sumu"),
    ("巴雅尔图胡硕镇", "town"), ("阿日昆都楞镇", "town"), ("查布嘎图苏木", "sumu"),
    ("道老杜苏木", "sumu"), ("山城街道", "street"), ("南宝力皋吐镇", "town"),
    ("乌兰哈达苏木", "sumu"), ("联合乡", "town"), ("永安乡", "town"),
]

VILLAGE_BASES = [
    "新华", "红旗", "团结", "胜利", "永丰", "前进", "东风", "光明", "幸福", "和平",
    "建设", "太平", "兴隆", "丰收", "长胜", "双山", "西山", "东山", "南岗", "北岗",
    "前屯", "后屯", "三合", "四合", "五星", "永安", "永兴", "长青", "新发", "新立",
    "新民", "富民", "富强", "联合", "保安", "宝山", "金山", "双井", "靠山", "柳树",
    "榆树", "杨树", "黄花", "青山", "大泉", "小泉", "红光", "红星", "东升", "向阳",
    "朝阳", "太和", "德胜", "复兴", "兴安", "民主", "合发", "公营子", "三道沟", "马架子",
]
GACHA_FIRST = [
    "巴彦", "查干", "乌兰", "宝力", "呼和", "额尔敦", "阿日", "哈拉", "希勃", "赛罕",
    "巴音", "敖包", "布敦", "伊和", "白音", "昂格", "毛都", "乌力吉", "格日", "特布",
]
GACHA_SECOND = [
    "塔拉", "淖尔", "哈达", "乌拉", "温都尔", "高勒", "花", "套海", "宝力格", "图",
    "吐", "诺尔", "芒哈", "扎嘎", "胡硕", "浩特", "艾勒", "锡力",
]
COMMUNITY_BASES = [
    "北山", "团结", "园丁", "铁路", "滨河", "朝阳", "新城", "光明", "民主", "建设",
    "和平", "东城", "西城", "南苑", "北苑", "文化", "福康", "锦华", "龙泉", "罕山",
    "泰和", "华厦", "振兴", "康乐", "育才", "电业", "金桥", "惠民", "春晖", "馨园",
]
DIRECTION_PREFIXES = ["东", "西", "南", "北", "前", "后", "新", "大", "小"]
ESTATES = [
    "园丁小区", "锦绣家园", "阳光小区", "幸福里", "金色华府", "铁路小区", "供电小区",
    "教育小区", "龙泉小区", "滨河花园", "盛世华庭", "罕山名苑", "新华小区", "康居小区",
    "电业小区", "翰林苑", "丽景家园", "凤凰城", "文苑小区", "和谐家园",
]
STREETS = [
    "新华路", "团结路", "解放路", "胜利街", "建设路", "民主街", "罕山路", "霍林河大街",
    "光明路", "文化街", "振兴路", "和平街", "站前路", "兴安街",
]

SURNAMES = (
    "王" * 72 + "李" * 70 + "张" * 64 + "刘" * 54 + "陈" * 45 + "杨" * 31 + "赵" * 29
    + "黄" * 24 + "周" * 23 + "吴" * 21 + "徐" * 17 + "孙" * 17 + "马" * 16 + "朱" * 14
    + "胡" * 13 + "郭" * 13 + "何" * 12 + "高" * 12 + "林" * 11 + "罗" * 10 + "郑" * 10
    + "梁" * 9 + "谢" * 8 + "宋" * 7 + "唐" * 7 + "许" * 7 + "韩" * 7 + "冯" * 6 + "邓" * 6
    + "曹" * 6 + "彭" * 6 + "曾" * 5 + "肖" * 5 + "田" * 5 + "董" * 5 + "袁" * 4 + "潘" * 4
    + "于" * 6 + "蒋" * 4 + "蔡" * 4 + "余" * 4 + "杜" * 4 + "叶" * 4 + "程" * 4 + "苏" * 4
    + "魏" * 4 + "吕" * 4 + "丁" * 4 + "任" * 4 + "沈" * 3 + "姚" * 3 + "卢" * 3 + "姜" * 4
    + "崔" * 4 + "钟" * 3 + "谭" * 3 + "陆" * 3 + "汪" * 3 + "范" * 3 + "金" * 3 + "石" * 3
    + "贾" * 3 + "付" * 3 + "白" * 4 + "包" * 4 + "孟" * 3 + "秦" * 3 + "邱" * 2 + "薛" * 2
    + "闫" * 3 + "段" * 2 + "侯" * 2 + "史" * 2 + "郝" * 3 + "邵" * 2 + "武" * 2 + "常" * 2
)
MALE_GIVEN = list(
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林坚和彪博诚先敬震振壮思群豪"
    "邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦奇翰朗伯宏鸣朋斌梁栋维启克伦"
    "翔旭鹏泽晨辰建家致树炎德行泰盛雄琛钧冠策腾楠榕风航弘"
)
FEMALE_GIVEN = list(
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂叶璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡"
    "婵雁蓓仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣"
    "滢馥筠柔竹凝晓欢枫芸菲伊亚宜舒影荔思丽"
)
MONGOLIAN_MALE = [
    "巴特尔", "额尔敦", "朝鲁门", "苏和", "宝音", "布和", "阿拉坦仓", "孟克", "吉日嘎拉",
    "乌力吉", "达来", "呼和", "满都拉", "敖日格乐", "巴图", "特木尔", "哈斯巴根", "那顺",
    "宝力道", "额日和木", "阿木古郎", "巴雅尔", "斯琴巴特尔", "白音仓", "朝克图", "图门",
    "巴根那", "毕力格", "伊德尔", "格日勒图", "宝力高", "达布希拉图", "查干巴拉", "吉雅",
]
MONGOLIAN_FEMALE = [
    "乌云其其格", "斯琴高娃", "那仁格日乐", "图雅", "萨仁", "其木格", "哈斯", "乌兰",
    "娜仁花", "萨仁高娃", "阿拉坦其其格", "苏布达", "托娅", "乌日娜", "塔娜", "其其格",
    "乌云", "高娃", "琪琪格", "宝鲁尔", "娜日苏", "格根塔娜", "敖登", "额尔德木图雅",
]
MOBILE_PREFIXES = [
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "180", "181", "182", "183", "185", "186", "187", "188", "189",
    "191", "193", "195", "198", "199",
]
CN_DIGITS = "零一二三四五六七八九"

# Visit notes.  Lists are picked from at random; order matters for determinism.
NOTES_ABSENT = [
    "家中无人", "家中无人，已电话联系", "邻居称户主外出务工", "家中无人，留联系卡",
    "户主外出就医，改日再访", "家中无人，门口张贴走访告知单", "户主到外地子女家暂住",
]
NOTES_REFUSED = [
    "户主拒绝开门", "称无需走访，拒绝配合", "拒绝登记家庭人员信息", "户主情绪激动，拒绝交流",
    "隔门交谈，拒绝入户",
]
NOTES_MET_GENERAL = [
    "核实家庭人口信息", "宣传防范电信网络诈骗", "反映邻里宅基地边界纠纷", "反映楼道照明损坏",
    "宣传医保缴费政策", "检查燃气使用安全", "反映拖欠工资问题", "家庭情况无变化",
    "宣传反诈APP安装", "反映邻居装修噪音扰民", "了解家庭生产生活情况", "反映物业服务问题",
    "宣传禁毒知识", "协助办理社保卡", "反映土地承包合同纠纷", "反映民间借贷纠纷",
    "提醒注意用电安全", "反映道路积水", "宣传养老保险政策", "反映草场边界纠纷",
]
NOTES_MET_TAG = {
    "elderly_alone": ["老人身体状况良好", "老人血压偏高，已提醒按时服药", "帮助老人购买生活用品",
                      "老人独居，已联系子女", "检查老人家中取暖设施"],
    "elderly_key": ["老人身体状况良好", "协助申请高龄津贴", "失能老人护理情况良好",
                    "联系家庭医生上门随访"],
    "empty_nest": ["老两口身体状况良好", "子女在外地，已留联系方式", "宣传防范针对老年人诈骗"],
    "mental_unstable": ["按时服药，情绪基本稳定", "家属反映近期睡眠不好，已联系精防医生",
                        "监护人在家，情况正常"],
    "mental_stable": ["按时服药，情绪稳定", "监护人在家，情况正常"],
    "corrections_strict": ["按时报到，表现良好", "核查活动轨迹，无异常", "开展谈话教育"],
    "corrections": ["按时报到，表现良好", "参加公益活动情况良好"],
    "released": ["就业情况稳定", "协助联系就业岗位", "思想状况稳定"],
    "drug_rehab": ["尿检结果正常", "按时参加康复治疗", "家属配合情况良好"],
    "hardship": ["了解低保申请进展", "协助申请临时救助", "子女就学情况良好"],
    "migrant_renter": ["核对租住人员信息", "提醒房东登记流动人口", "租户已搬离，待核实"],
}
NOTES_SEASON = {
    "winter": ["提醒冬季取暖防范一氧化碳中毒", "检查冬季取暖煤炭储备"],
    "spring": ["宣传森林草原防火", "宣传春季防火"],
    "summer": ["提醒防汛防溺水", "宣传夏季用电安全"],
    "autumn": ["宣传森林草原防火", "提醒秋收期间注意安全"],
}
SEASON_OF_MONTH = {12: "winter", 1: "winter", 2: "winter", 3: "spring", 4: "spring",
                   5: "spring", 6: "summer", 7: "summer", 8: "summer", 9: "autumn",
                   10: "autumn", 11: "winter"}

# Hour-of-day weights for visits (local time, 08:00-19:30).
HOUR_WEIGHTS = {8: 5, 9: 12, 10: 14, 11: 8, 12: 2, 13: 4, 14: 9, 15: 12, 16: 12,
                17: 9, 18: 6, 19: 3}


# --------------------------------------------------------------------------
# Data records
# --------------------------------------------------------------------------

@dataclass(slots=True)
class Unit:
    code: str
    name: str
    level: str
    parent: str


@dataclass(slots=True)
class Person:
    id: str
    name: str
    phone: str
    id_number: str


@dataclass(slots=True)
class Duty:
    person_id: str
    role: str
    unit_code: str
    since: int            # date ordinal
    until: int | None     # date ordinal, None = active


@dataclass(slots=True)
class Block:
    code: str
    name: str
    head: Duty | None = None


@dataclass(slots=True)
class Grid:
    code: str
    name: str
    village: "Village"
    households: int = 0
    blocked: int = 0                       # households placed in blocks
    blocks: list = field(default_factory=list)
    members: list = field(default_factory=list)   # grid_member duties, by since
    police: Duty | None = None
    lateness: float = 0.2                  # share of visit cycles that slip late
    late_max: float = 1.8                  # latest slip, as a multiple of interval
    retry_max: int = 7                     # longest wait before retrying a failed visit


@dataclass(slots=True)
class Village:
    code: str
    name: str
    kind: str            # village 村, gacha 嘎查, community 社区
    township: "Township"
    grids: list = field(default_factory=list)
    households: int = 0


@dataclass(slots=True)
class Township:
    code: str
    name: str
    kind: str            # town, sumu, street
    villages: list = field(default_factory=list)
    weak: bool = False


@dataclass(slots=True)
class Household:
    code: str
    grid: Grid
    block: Block | None
    address: str
    head_name: str
    phone: str
    members: int
    tags: tuple
    registered: int      # date ordinal
    interval: int
    seed: int            # seed of this household's own visit generator
    male: bool           # gender of the head (not written; used if the head becomes a block head)


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------

def allocate(total: int, weights: list[float], minimum: int) -> list[int]:
    """Split `total` into integers proportional to `weights`, each >= minimum.

    Largest-remainder rounding, ties broken by position, so the result is
    deterministic and sums exactly to `total`.
    """
    n = len(weights)
    rest = total - minimum * n
    if rest < 0:
        raise ValueError("total too small for the minimum")
    s = sum(weights)
    raw = [rest * w / s for w in weights]
    out = [int(x) for x in raw]
    left = rest - sum(out)
    order = sorted(range(n), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[:left]:
        out[i] += 1
    return [minimum + x for x in out]


def cn_number(n: int) -> str:
    """Chinese numeral for 1..9999 as used in names (十一, 二十, 一百零五)."""
    if n <= 0 or n >= 10000:
        return str(n)
    parts = []
    units = [(1000, "千"), (100, "百"), (10, "十")]
    zero = False
    for value, mark in units:
        d = n // value
        n %= value
        if d:
            if zero:
                parts.append("零")
                zero = False
            parts.append(CN_DIGITS[d] + mark)
        elif parts:
            zero = True
    if n:
        if zero:
            parts.append("零")
        parts.append(CN_DIGITS[n])
    text = "".join(parts)
    if text.startswith("一十"):
        text = text[1:]
    return text


def date_ord(text: str) -> int:
    """YYYY-MM-DD -> date ordinal."""
    return dt.date.fromisoformat(text).toordinal()


def iso(ordinal: int) -> str:
    """Date ordinal -> YYYY-MM-DD."""
    return dt.date.fromordinal(ordinal).isoformat()


def weighted_choice(rng: random.Random, weights: dict) -> str:
    """Pick a key of `weights` (insertion order) with probability ~ its value."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of a resident ID number."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(first17, weights))
    return "10X98765432"[total % 11]


class NamePool:
    """Unique names drawn from a shuffled base list, extended with prefixes."""

    def __init__(self, rng: random.Random, bases: list[str], suffix: str):
        self.rng = rng
        self.suffix = suffix
        self.queue = list(bases)
        rng.shuffle(self.queue)
        self.bases = list(bases)
        self.used: set[str] = set()
        self.round = 0

    def take(self) -> str:
        """Next unused name, e.g. 新华村, later 东新华村."""
        while True:
            if not self.queue:
                self.round += 1
                prefixes = DIRECTION_PREFIXES if self.round <= len(DIRECTION_PREFIXES) else [""]
                p = prefixes[(self.round - 1) % len(prefixes)]
                extra = [p + b if p else f"{b}{cn_number(self.round)}" for b in self.bases]
                self.rng.shuffle(extra)
                self.queue = extra
            name = self.queue.pop() + self.suffix
            if name not in self.used:
                self.used.add(name)
                return name


class PeopleFactory:
    """Makes people with unique ids, phones and resident ID numbers."""

    def __init__(self, rng: random.Random, region: str, end: int):
        self.rng = rng
        self.region = region
        self.end_year = dt.date.fromordinal(end).year
        self.people: list[Person] = []
        self.phones: set[str] = set()
        self.id_numbers: set[str] = set()

    def phone(self) -> str:
        """A new unique 11-digit mobile number."""
        while True:
            p = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def id_number(self, male: bool, min_age: int, max_age: int) -> str:
        """An 18-digit resident ID: region, birth date, sequence, check digit."""
        while True:
            year = self.end_year - self.rng.randint(min_age, max_age)
            birth = dt.date(year, 1, 1) + dt.timedelta(days=self.rng.randrange(365))
            seq = self.rng.randrange(100) * 10 + self.rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
            body = f"{self.region}{birth:%Y%m%d}{seq:03d}"
            number = body + id_check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def make(self, min_age: int, max_age: int, mongolian_share: float,
             name: str | None = None, male: bool | None = None, phone: str | None = None) -> Person:
        """Create a person (optionally with a given name/gender/phone) and keep it."""
        if name is None:
            male = self.rng.random() < 0.6 if male is None else male
            name = chinese_name(self.rng, male, mongolian_share)
        elif male is None:
            male = self.rng.random() < 0.5
        if not phone:
            phone = self.phone()
        else:
            self.phones.add(phone)
        person = Person(f"P{len(self.people) + 1:06d}", name, phone,
                        self.id_number(male, min_age, max_age))
        self.people.append(person)
        return person


def chinese_name(rng: random.Random, male: bool, mongolian_share: float) -> str:
    """A plausible Chinese (or Mongolian) personal name."""
    if rng.random() < mongolian_share:
        return rng.choice(MONGOLIAN_MALE if male else MONGOLIAN_FEMALE)
    pool = MALE_GIVEN if male else FEMALE_GIVEN
    given = rng.choice(pool)
    if rng.random() < 0.72:
        given += rng.choice(pool)
    return rng.choice(SURNAMES) + given


def mongolian_share(village: Village) -> float:
    """Share of Mongolian names among the residents of a village."""
    if village.kind == "gacha":
        return 0.55
    if village.township.kind == "sumu":
        return 0.4
    return 0.12 if village.kind == "village" else 0.08


# --------------------------------------------------------------------------
# The county structure
# --------------------------------------------------------------------------

class County:
    """Everything generated, plus the code that generates it."""

    def __init__(self, args: argparse.Namespace):
        self.rng = random.Random(args.seed)
        self.end = date_ord(args.end_date)
        self.start = self.end - 364                     # first day of the visit year
        self.n_townships = args.townships
        self.n_villages = args.villages
        self.n_grids = args.grids
        self.n_households = args.households
        self.n_visits = args.visits
        self.units: list[Unit] = []
        self.townships: list[Township] = []
        self.villages: list[Village] = []
        self.grids: list[Grid] = []
        self.blocks: list[Block] = []
        self.duties: list[Duty] = []
        self.party_groups: list[tuple] = []
        self.households: list[Household] = []
        self.factory = PeopleFactory(self.rng, COUNTY_CODE, self.end)

    # -- dates --------------------------------------------------------------
    def random_date(self, first: str | int, last: str | int) -> int:
        """Uniform date ordinal in [first, last] (strings or ordinals), clipped to the end date."""
        a = date_ord(first) if isinstance(first, str) else first
        b = date_ord(last) if isinstance(last, str) else last
        b = min(b, self.end)
        a = min(a, b)
        return self.rng.randint(a, b)

    # -- units ----------------------------------------------------------------
    def build_units(self) -> None:
        """Townships, villages, grids with their sizes, and blocks."""
        rng = self.rng
        for i in range(self.n_townships):
            if i < len(TOWNSHIPS):
                name, kind = TOWNSHIPS[i]
            else:
                name, kind = f"{VILLAGE_BASES[i % len(VILLAGE_BASES)]}{cn_number(i // len(VILLAGE_BASES) + 1)}乡", "town"
            code = f"{COUNTY_CODE}{i + 1:03d}000"
            self.townships.append(Township(code, name, kind))
        weak = [t for t in self.townships[1:] if t.kind == "sumu"]
        if weak:
            weak[0].weak = True

        # Villages per township.
        tw = [{"town": 1.2, "sumu": 1.0, "street": 0.7}[t.kind] * rng.uniform(0.8, 1.2)
              for t in self.townships]
        counts = allocate(self.n_villages, tw, 1)
        pools = {
            "village": NamePool(rng, VILLAGE_BASES, "村"),
            "gacha": NamePool(rng, [a + b for a in GACHA_FIRST for b in GACHA_SECOND
                                    if not a.endswith(b) and not b.startswith(a)], "嘎查"),
            "community": NamePool(rng, COMMUNITY_BASES, "社区"),
        }
        for t, n in zip(self.townships, counts):
            for j in range(n):
                if t.kind == "street":
                    kind = "community"
                elif t.kind == "town":
                    seat = max(1, round(n * 0.2)) if n >= 3 else 0
                    kind = "community" if j < seat else ("gacha" if rng.random() < 0.2 else "village")
                else:
                    kind = "village" if rng.random() < 0.1 else "gacha"
                code = f"{t.code[:9]}{j + 1:03d}"
                v = Village(code, pools[kind].take(), kind, t)
                t.villages.append(v)
                self.villages.append(v)

        # Grids per village, households per grid.
        vw = [{"community": 2.0, "village": 1.0, "gacha": 0.8}[v.kind] * rng.uniform(0.6, 1.5)
              for v in self.villages]
        for v, n in zip(self.villages, allocate(self.n_grids, vw, 1)):
            for k in range(n):
                g = Grid(f"{v.code}{k + 1:03d}", f"第{cn_number(k + 1)}网格", v)
                v.grids.append(g)
                self.grids.append(g)
        gw = [{"community": 2.6, "village": 1.0, "gacha": 0.65}[g.village.kind] * rng.uniform(0.7, 1.3)
              for g in self.grids]
        min_hh = min(5, self.n_households // self.n_grids)
        for g, n in zip(self.grids, allocate(self.n_households, gw, min_hh)):
            g.households = n
            g.village.households += n
        self.plan_blocks()

    def plan_blocks(self) -> None:
        """Decide how many households of each grid live in a block (about 40%).

        Communities hold about four fifths of the blocked households (most of
        their households live in buildings, the rest in bungalows and shops);
        then the largest rural villages get 联户 groups until the county
        reaches about 40%.
        """
        rng = self.rng
        target = round(0.40 * self.n_households)
        urban = sum(g.households for g in self.grids if g.village.kind == "community")
        share = min(0.9, 0.8 * target / urban) if urban else 0.0
        placed = 0
        for g in self.grids:
            if g.village.kind == "community" and g.households >= 5:
                g.blocked = min(g.households, round(g.households * share * rng.uniform(0.85, 1.15)))
                placed += g.blocked
        rural = sorted((v for v in self.villages if v.kind != "community"),
                       key=lambda v: (-v.households, v.code))
        for v in rural:
            if placed >= target:
                break
            for g in v.grids:
                if g.households >= 10 and placed < target:
                    g.blocked = min(g.households, round(g.households * rng.uniform(0.45, 0.75)))
                    placed += g.blocked

    # -- people and duties ------------------------------------------------------
    def add_duty(self, person: Person, role: str, unit: str, since: int, until: int | None = None) -> Duty:
        """Record a duty and return it."""
        d = Duty(person.id, role, unit, since, until)
        self.duties.append(d)
        return d

    def build_people(self) -> None:
        """County, township and village staff, grid members and police.

        Block heads are made with the households (they are residents).
        """
        rng, f = self.rng, self.factory
        for _ in range(2):
            self.add_duty(f.make(28, 52, 0.1), "county_admin", COUNTY_CODE,
                          self.random_date("2019-01-01", "2025-06-30"))
        for _ in range(rng.randint(1, 2)):
            self.add_duty(f.make(35, 58, 0.1), "mediator", COUNTY_CODE,
                          self.random_date("2016-01-01", "2024-12-31"))
        for t in self.townships:
            share = 0.4 if t.kind == "sumu" else 0.1
            for _ in range(rng.randint(2, 4)):
                self.add_duty(f.make(24, 55, share), "township_staff", t.code,
                              self.random_date("2015-06-01", "2025-09-30"))
            self.add_duty(f.make(35, 60, share), "mediator", t.code,
                          self.random_date("2016-01-01", "2024-12-31"))
        self.build_police()
        no_aux = set()
        if len(self.villages) >= 3:
            no_aux = set(rng.sample(range(len(self.villages)), max(1, round(len(self.villages) * 0.08))))
        for i, v in enumerate(self.villages):
            if i not in no_aux:
                self.add_duty(f.make(22, 45, mongolian_share(v), male=rng.random() < 0.85),
                              "auxiliary_police", v.code, self.random_date("2018-03-01", "2025-10-31"))
        self.build_grid_members()

    def build_police(self) -> None:
        """Community police officers, each paired with 5-10 grids of one township.

        About 3% of grids are left without a paired officer.
        """
        rng, f = self.rng, self.factory
        unpaired = set(rng.sample(range(len(self.grids)), round(len(self.grids) * 0.03)))
        index = {g.code: i for i, g in enumerate(self.grids)}
        for t in self.townships:
            grids = [g for v in t.villages for g in v.grids if index[g.code] not in unpaired]
            n = len(grids)
            if n == 0:
                continue
            k = max(1, min(n // 5, round(n / 7.5))) if n >= 5 else 1
            while k < n // 5 and math.ceil(n / k) > 10:
                k += 1
            sizes = allocate(n, [rng.uniform(0.6, 1.4) for _ in range(k)], min(5, n // k))
            pos = 0
            for size in sizes:
                officer = f.make(25, 55, 0.4 if t.kind == "sumu" else 0.1, male=rng.random() < 0.9)
                if rng.random() < 0.15:
                    since = self.random_date(self.start, self.end - 30)
                else:
                    since = self.random_date("2018-01-01", iso(self.start - 1))
                for g in grids[pos:pos + size]:
                    g.police = self.add_duty(officer, "police", g.code, since)
                pos += size

    def build_grid_members(self) -> None:
        """One grid member per grid, with some turnover and a few vacancies.

        ~5% of grids also list a former member; ~6% changed member during the
        visit year (with a short vacancy); ~1.5% lost their member without a
        replacement.
        """
        rng, f = self.rng, self.factory
        n = len(self.grids)
        order = list(range(n))
        rng.shuffle(order)
        n_left = max(1, round(n * 0.015)) if n >= 20 else 0
        n_change = round(n * 0.06)
        left = set(order[:n_left])
        changed = set(order[n_left:n_left + n_change])
        for i, g in enumerate(self.grids):
            share = mongolian_share(g.village)
            timeline = []
            since = self.random_date("2017-03-01", iso(self.start - 60))
            if rng.random() < 0.05:
                former_since = self.random_date("2015-03-01", iso(since - 400))
                timeline.append((f.make(25, 55, share), former_since, since - rng.randint(1, 45)))
            if i in changed:
                until = self.random_date(self.start + 20, self.end - 40)
                timeline.append((f.make(24, 50, share), since, until))
                new_since = until + rng.randint(3, 40)
                timeline.append((f.make(23, 45, share), min(new_since, self.end - 5), None))
            elif i in left:
                timeline.append((f.make(24, 50, share), since, self.end - rng.randint(45, 160)))
            else:
                timeline.append((f.make(23, 50, share), since, None))
            g.members = [self.add_duty(p, "grid_member", g.code, s, u) for p, s, u in timeline]

    # -- households -------------------------------------------------------------
    def pick_tags(self, urban: bool) -> tuple:
        """0 (75%), 1 (20%) or 2 (5%) categories, realistically weighted."""
        r = self.rng.random()
        n = 0 if r < 0.75 else (1 if r < 0.95 else 2)
        weights = TAG_WEIGHTS_URBAN if urban else TAG_WEIGHTS_RURAL
        tags: list[str] = []
        while len(tags) < n:
            t = weighted_choice(self.rng, weights)
            if t in tags or any({t, o} in TAG_EXCLUSIVE for o in tags):
                continue
            tags.append(t)
        return tuple(sorted(tags, key=CATEGORY_ORDER.__getitem__))

    def registered_on(self) -> int:
        """Mostly 2015-2025 (heavier in the first registration years), ~3% in the last year."""
        r = self.rng.random()
        if r < 0.03:
            return self.random_date(self.start, self.end)
        if r < 0.30:
            return self.random_date("2015-01-01", "2016-12-31")
        return self.random_date("2017-01-01", iso(self.start - 1))

    def members_for(self, tags: tuple) -> int:
        """Household size 1..8, consistent with its tags."""
        rng = self.rng
        if "elderly_alone" in tags:
            return 1
        if "empty_nest" in tags:
            return 2 if rng.random() < 0.85 else 1
        if "elderly_key" in tags:
            return rng.choices((1, 2, 3, 4), (3, 5, 2, 1))[0]
        if "migrant_renter" in tags:
            return rng.choices((1, 2, 3, 4), (4, 4, 3, 1))[0]
        return rng.choices(range(1, 9), (8, 25, 28, 20, 11, 5, 2, 1))[0]

    def household_phone(self) -> str:
        """An 11-digit mobile number, empty for about 5% of households."""
        if self.rng.random() < 0.05:
            return ""
        return self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def build_households(self) -> None:
        """Households of every grid, their blocks, and each block's head."""
        rng = self.rng
        for v in self.villages:
            prefix = v.township.name + v.name
            share = mongolian_share(v)
            urban = v.kind == "community"
            building = 0
            estates = rng.sample(ESTATES, min(len(ESTATES), max(1, len(v.grids))))
            street_no = 0
            team = 0
            for gi, g in enumerate(v.grids):
                sizes = self.block_sizes(g.blocked)
                seq = 0
                members_of_block = []
                if urban:
                    estate = estates[gi % len(estates)]
                    for size in sizes:
                        building += 1
                        block = self.new_block(g, f"{cn_number(building)}号楼栋")
                        units = 1 if size <= 8 else 2
                        per_unit = math.ceil(size / units)
                        rows = []
                        for k in range(size):
                            unit_no, pos = divmod(k, per_unit)
                            floor, room = divmod(pos, 2)
                            addr = f"{prefix}{estate}{building}号楼{unit_no + 1}单元{floor + 1}0{room + 1}室"
                            seq += 1
                            rows.append(self.new_household(g, block, seq, addr, share, urban))
                        members_of_block.append((block, rows))
                    street = rng.choice(STREETS)
                    for _ in range(g.households - g.blocked):
                        street_no += rng.randint(1, 4)
                        seq += 1
                        self.new_household(g, None, seq, f"{prefix}{street}{street_no}号", share, urban)
                else:
                    teams = 1 if g.households < 40 else 2
                    per_team = math.ceil(g.households / teams)
                    queue = list(sizes)
                    in_block = 0
                    block, left = None, 0
                    for k in range(g.households):
                        pos = k % per_team
                        if pos == 0:
                            team += 1
                        if left == 0 and queue and in_block < g.blocked:
                            left = queue.pop(0)
                            block = self.new_block(g, f"第{cn_number(len(g.blocks) + 1)}联户")
                            members_of_block.append((block, []))
                        addr = f"{prefix}{cn_number(team)}组{pos + 1}号"
                        seq += 1
                        h = self.new_household(g, block if left else None, seq, addr, share, urban)
                        if left:
                            members_of_block[-1][1].append(h)
                            left -= 1
                            in_block += 1
                for block, rows in members_of_block:
                    self.appoint_block_head(g, block, rows, share)

    def block_sizes(self, total: int) -> list[int]:
        """Cut `total` households into blocks of 5-15 (fewer if total < 5)."""
        sizes = []
        left = total
        while left > 0:
            if left <= 15:
                size = left
            else:
                size = self.rng.randint(5, min(15, left - 5))
            sizes.append(size)
            left -= size
        return sizes

    def new_block(self, g: Grid, name: str) -> Block:
        """Create block unit number len+1 of grid g."""
        b = Block(f"{g.code}{len(g.blocks) + 1:02d}", name)
        if len(g.blocks) >= 99:
            raise SystemExit(f"grid {g.code} needs more than 99 blocks; use more grids")
        g.blocks.append(b)
        self.blocks.append(b)
        return b

    def new_household(self, g: Grid, block: Block | None, seq: int, address: str,
                      share: float, urban: bool) -> Household:
        """Create one household of grid g."""
        rng = self.rng
        if seq > 9999:
            raise SystemExit(f"grid {g.code} has more than 9999 households; use more grids")
        tags = self.pick_tags(urban)
        male = rng.random() < 0.62
        h = Household(
            code=f"{g.code}-{seq:04d}", grid=g, block=block, address=address,
            head_name=chinese_name(rng, male, share), phone=self.household_phone(),
            members=self.members_for(tags), tags=tags, registered=self.registered_on(),
            interval=min((INTERVAL[t] for t in tags), default=INTERVAL["general"]),
            seed=rng.getrandbits(64), male=male,
        )
        self.households.append(h)
        return h

    def appoint_block_head(self, g: Grid, block: Block, rows: list, share: float) -> None:
        """A resident of the block becomes its head (about 3% of blocks have none)."""
        rng = self.rng
        if rng.random() < 0.03 or not rows:
            return
        resident = rng.choice(rows)
        person = self.factory.make(35, 72, share, name=resident.head_name,
                                   male=resident.male, phone=resident.phone or None)
        if rng.random() < 0.05:
            since = self.random_date(self.start, self.end - 20)
        else:
            since = self.random_date(max(date_ord("2016-01-01"), resident.registered), iso(self.start - 1))
        block.head = self.add_duty(person, "block_head", block.code, since)

    # -- party groups -----------------------------------------------------------
    def build_party_groups(self) -> None:
        """Grid party groups covering ~85% of grids; some span 2-3 grids of a village."""
        rng, f = self.rng, self.factory
        seq = 0
        for v in self.villages:
            grids = v.grids
            i = 0
            while i < len(grids):
                if rng.random() < 0.15:
                    i += 1
                    continue
                size = min(rng.choices((1, 2, 3), (55, 30, 15))[0], len(grids) - i)
                covered = grids[i:i + size]
                i += size
                seq += 1
                first, last = cn_number(i - size + 1), cn_number(i)
                if size == 1:
                    name = f"{v.name}第{first}网格党小组"
                elif size == 2:
                    name = f"{v.name}第{first}、第{last}网格党小组"
                else:
                    name = f"{v.name}第{first}至第{last}网格党小组"
                members = [d.person_id for g in covered for d in g.members if d.until is None]
                heads = [b.head.person_id for g in covered for b in g.blocks if b.head]
                if heads and (not members or rng.random() < 0.4):
                    leader = rng.choice(heads)
                elif members:
                    leader = members[0]
                else:
                    leader = None
                pool = [p for p in members + heads if p != leader]
                rng.shuffle(pool)
                wanted = rng.randint(3, 8)
                chosen = pool[:wanted]
                share = mongolian_share(v)
                if leader is None:
                    leader = f.make(35, 68, share).id
                while len(chosen) < wanted:       # ordinary party members among the residents
                    chosen.append(f.make(25, 75, share).id)
                self.party_groups.append((f"PG{seq:05d}", name, leader,
                                          ";".join(g.code for g in covered), ";".join(chosen)))

    def build(self) -> None:
        """Generate the whole county except visits (which are streamed)."""
        self.build_units()
        self.build_people()
        self.build_households()
        self.build_party_groups()
        self.assign_profiles()

    def assign_profiles(self) -> None:
        """How diligently each grid is visited: most well, a weak township and ~5% neglected grids."""
        rng = self.rng
        neglected = set(rng.sample(range(len(self.grids)), round(len(self.grids) * 0.05)))
        for i, g in enumerate(self.grids):
            if g.village.township.weak:
                g.lateness, g.late_max, g.retry_max = rng.uniform(0.40, 0.65), 2.2, 12
            elif i in neglected:
                g.lateness, g.late_max, g.retry_max = rng.uniform(0.55, 0.8), 2.4, 14
            else:
                g.lateness, g.late_max, g.retry_max = rng.uniform(0.04, 0.30), 1.6, 7


# --------------------------------------------------------------------------
# Visits
# --------------------------------------------------------------------------

class VisitWriter:
    """Simulates each household's visits and writes visits.csv."""

    def __init__(self, county: County):
        self.c = county
        minutes = []
        for hour, w in HOUR_WEIGHTS.items():
            last = 30 if hour == 19 else 59
            for m in range(0, last + 1):
                minutes.extend([hour * 60 + m] * w)
        self.minutes = minutes
        self.local_time = {m: f"T{m // 60:02d}:{m % 60:02d}:00+08:00" for m in set(minutes)}
        self.utc_time = {m: f"T{m // 60 - 8:02d}:{m % 60:02d}:00Z" for m in set(minutes)}
        self.day_text: dict[int, str] = {}
        self.season: dict[int, str] = {}

    def day(self, ordinal: int) -> str:
        """Cached YYYY-MM-DD of a date ordinal."""
        text = self.day_text.get(ordinal)
        if text is None:
            d = dt.date.fromordinal(ordinal)
            text = self.day_text[ordinal] = d.isoformat()
            self.season[ordinal] = SEASON_OF_MONTH[d.month]
        return text

    @staticmethod
    def active(duty: Duty | None, day: int) -> bool:
        """Whether a duty covers the given day."""
        return duty is not None and duty.since <= day and (duty.until is None or day <= duty.until)

    def visitor(self, rng: random.Random, h: Household, day: int) -> str | None:
        """Who visits on `day`: mostly the active grid member, sometimes block head or police."""
        g = h.grid
        member = None
        for d in g.members:
            if self.active(d, day):
                member = d.person_id
        head = h.block.head.person_id if h.block and self.active(h.block.head, day) else None
        police = g.police.person_id if self.active(g.police, day) else None
        if member is None:
            # Vacancy: only occasionally does someone else step in.
            if rng.random() < 0.3:
                return head or police
            return None
        r = rng.random()
        police_share = 0.25 if any(t in h.tags for t in ("corrections", "corrections_strict",
                                                           "drug_rehab", "released", "mental_unstable")) else 0.05
        if police and r < police_share:
            return police
        if head and r > 0.90:
            return head
        return member

    def note(self, rng: random.Random, h: Household, outcome: str, day: int) -> str:
        """A short Chinese note for about 30% of visits."""
        if outcome == "absent":
            return rng.choice(NOTES_ABSENT) if rng.random() < 0.5 else ""
        if outcome == "refused":
            return rng.choice(NOTES_REFUSED) if rng.random() < 0.6 else ""
        r = rng.random()
        if h.tags and r < 0.3:
            return rng.choice(NOTES_MET_TAG[rng.choice(h.tags)])
        if r < 0.04:
            self.day(day)
            return rng.choice(NOTES_SEASON[self.season[day]])
        if r < 0.18:
            return rng.choice(NOTES_MET_GENERAL)
        return ""

    def simulate(self, h: Household, rng: random.Random) -> list[tuple]:
        """The household's visits in the year by its schedule: (day, visitor, method, outcome, note)."""
        c = self.c
        g = h.grid
        interval = h.interval
        events = []
        start = max(c.start, h.registered)
        if h.registered < c.start:
            # Run the schedule silently from well before the year, so that
            # each household enters the year at a natural phase.
            day = c.start - interval * 3 - rng.randint(0, interval)
            while day < c.start:
                day = self.next_due(rng, g, day, interval)
        elif rng.random() < 0.5:
            day = h.registered          # registered during a visit
        else:
            day = h.registered + rng.randint(1, max(1, int(interval * 0.6)))
        phone_share = 0.3 if interval <= 7 else 0.12
        while day <= c.end:
            if dt_weekday(day) == 6 and rng.random() < 0.6 and day < c.end:
                day += 1                # fewer visits on Sundays
            who = self.visitor(rng, h, day)
            if who is None:
                day += rng.randint(10, 40)
                continue
            r = rng.random()
            outcome = "met" if r < 0.85 else ("absent" if r < 0.95 else "refused")
            m = rng.random()
            if outcome == "refused":
                method = "door"
            elif m < phone_share:
                method = "phone"
            elif m < phone_share + 0.04:
                method = "video"
            elif m < phone_share + 0.06:
                method = "other"
            else:
                method = "door"
            events.append((day, who, method, outcome, self.note(rng, h, outcome, day)))
            if outcome == "met":
                day = self.next_due(rng, g, day, interval)
            else:
                day += rng.randint(1, max(2, min(g.retry_max, interval // 3)))
        return events

    @staticmethod
    def next_due(rng: random.Random, g: Grid, last: int, interval: int) -> int:
        """Day of the next planned visit after a met visit on `last`."""
        if rng.random() < g.lateness:
            factor = rng.uniform(1.0, g.late_max)
        else:
            factor = rng.uniform(0.55, 1.0)
        return last + max(1, round(interval * factor))

    def rescale(self, events: list[tuple], target: int, rng: random.Random, h: Household) -> list[tuple]:
        """Exactly `target` events: keep the latest ones, or add earlier extra visits.

        Extra visits fall on or before the last met day (or are not met), so the
        household's coverage on the end date does not change.
        """
        if target <= len(events):
            return events[len(events) - target:]
        met_days = [e[0] for e in events if e[3] == "met"]
        limit = met_days[-1] if met_days else events[-1][0]
        first = max(self.c.start, h.registered)
        extra = []
        for _ in range(target - len(events)):
            day = rng.randint(first, limit) if limit >= first else limit
            who = self.visitor(rng, h, day)
            if who is None:
                day, who = rng.choice(events)[:2]
            r = rng.random()
            outcome = "met" if (met_days and r < 0.85) else ("absent" if r < 0.95 else "refused")
            method = "door" if outcome == "refused" or rng.random() < 0.8 else "phone"
            extra.append((day, who, method, outcome, self.note(rng, h, outcome, day)))
        out = events + extra
        out.sort(key=lambda e: e[0])
        return out

    def write(self, path: str) -> int:
        """Write visits.csv and return the number of rows."""
        c = self.c
        households = c.households
        targets = None
        if c.n_visits is not None:
            natural = [len(self.simulate(h, random.Random(h.seed))) for h in households]
            total = sum(natural)
            targets = []
            cum = 0
            prev = 0
            for n in natural:
                cum += n
                now = (cum * c.n_visits) // total if total else 0
                targets.append(now - prev)
                prev = now
            if total == 0 and c.n_visits:
                raise SystemExit("no visits could be scheduled; cannot scale to --visits")
        expected = c.n_visits
        tty = sys.stderr.isatty()
        written = 0
        minutes = self.minutes
        with open(path, "w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(["id", "household_code", "visitor_id", "visited_at", "method", "outcome", "note"])
            for i, h in enumerate(households):
                rng = random.Random(h.seed)
                events = self.simulate(h, rng)
                if targets is not None:
                    if targets[i] == 0:
                        continue
                    events = self.rescale(events, targets[i], rng, h)
                last_minute = -1
                last_day = -1
                rows = []
                for day, who, method, outcome, note in events:
                    minute = rng.choice(minutes)
                    if day == last_day and minute <= last_minute:
                        minute = min(last_minute + rng.randint(5, 40), 19 * 60 + 30)
                    last_day, last_minute = day, minute
                    clock = self.utc_time if rng.random() < 0.03 else self.local_time
                    stamp = self.day(day) + clock[minute]
                    vid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                    rows.append((vid, h.code, who, stamp, method, outcome, note))
                w.writerows(rows)
                before = written
                written += len(rows)
                if tty and written // 50000 != before // 50000:
                    total_text = f"/{expected}" if expected is not None else ""
                    sys.stderr.write(f"\rvisits {written}{total_text}")
                    sys.stderr.flush()
        if tty:
            sys.stderr.write("\r" + " " * 40 + "\r")
        return written


def dt_weekday(ordinal: int) -> int:
    """Weekday of a date ordinal, Monday = 0 (ordinal 1 is Monday 0001-01-01)."""
    return (ordinal - 1) % 7


# --------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------

def write_csv(path: str, header: list[str], rows) -> int:
    """Write one CSV file (UTF-8, LF, minimal quoting); return the row count."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for row in rows:
            w.writerow(row)
            n += 1
    return n


def write_all(c: County, out: str) -> dict[str, int]:
    """Write every seed file into `out`; return row counts by file."""
    os.makedirs(out, exist_ok=True)
    counts = {}
    units = [(COUNTY_CODE, COUNTY_NAME, "county", "")]
    units += [(t.code, t.name, "township", COUNTY_CODE) for t in c.townships]
    units += [(v.code, v.name, "village", v.township.code) for v in c.villages]
    units += [(g.code, g.name, "grid", g.village.code) for g in c.grids]
    units += [(b.code, b.name, "block", b.code[:-2]) for b in c.blocks]
    counts["units"] = write_csv(os.path.join(out, "units.csv"),
                                ["code", "name", "level", "parent_code"], units)
    counts["categories"] = write_csv(os.path.join(out, "categories.csv"),
                                     ["code", "label", "interval_days"], CATEGORIES)
    counts["people"] = write_csv(os.path.join(out, "people.csv"),
                                 ["id", "name", "phone", "id_number"],
                                 ((p.id, p.name, p.phone, p.id_number) for p in c.factory.people))
    counts["duties"] = write_csv(os.path.join(out, "duties.csv"),
                                 ["person_id", "role", "unit_code", "since", "until"],
                                 ((d.person_id, d.role, d.unit_code, iso(d.since),
                                   iso(d.until) if d.until is not None else "") for d in c.duties))
    counts["party_groups"] = write_csv(os.path.join(out, "party_groups.csv"),
                                       ["code", "name", "leader_id", "grid_codes", "member_ids"],
                                       c.party_groups)
    counts["households"] = write_csv(
        os.path.join(out, "households.csv"),
        ["code", "grid_code", "block_code", "address", "head_name", "phone", "members", "tags",
         "registered_on"],
        ((h.code, h.grid.code, h.block.code if h.block else "", h.address, h.head_name, h.phone,
          h.members, ";".join(h.tags), iso(h.registered)) for h in c.households))
    counts["visits"] = VisitWriter(c).write(os.path.join(out, "visits.csv"))
    return counts


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line arguments, with sizes defaulting in proportion to the demo."""
    p = argparse.ArgumentParser(
        description="Generate a fictional county as Gridbook seed CSV files (deterministic).")
    p.add_argument("--out", required=True, help="output directory (created if missing)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 2026)")
    p.add_argument("--townships", type=int, help="default: round(0.8*sqrt(villages)), 4 for the demo")
    p.add_argument("--villages", type=int, default=DEFAULT_VILLAGES, help="default 24")
    p.add_argument("--grids", type=int, help="default: 6.25 per village, 150 for the demo")
    p.add_argument("--households", type=int, help="default: 53.3 per grid, 8000 for the demo")
    p.add_argument("--visits", type=int,
                   help="exact number of visits (default: one year by each household's schedule)")
    p.add_argument("--end-date", default=DEFAULT_END_DATE,
                   help="last day of the visit year, YYYY-MM-DD (default 2026-11-20)")
    a = p.parse_args(argv)
    if a.townships is None:
        a.townships = max(1, round(0.8 * math.sqrt(a.villages)))
    if a.grids is None:
        a.grids = round(a.villages * GRIDS_PER_VILLAGE)
    if a.households is None:
        a.households = round(a.grids * HOUSEHOLDS_PER_GRID)
    try:
        end = dt.date.fromisoformat(a.end_date)
    except ValueError:
        p.error("--end-date must be YYYY-MM-DD")
    if end.year < 2017:
        p.error("--end-date must be in 2017 or later")
    if not 1 <= a.townships <= 999:
        p.error("--townships must be 1..999")
    if not a.townships <= a.villages <= a.townships * 999:
        p.error("--villages must be at least --townships (and at most 999 per township)")
    if not a.villages <= a.grids:
        p.error("--grids must be at least --villages")
    if not a.grids <= a.households:
        p.error("--households must be at least --grids")
    if a.visits is not None and a.visits < 0:
        p.error("--visits must not be negative")
    return a


def main(argv: list[str] | None = None) -> int:
    """Generate and write the county; print a one-line summary on stderr."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    county = County(args)
    county.build()
    counts = write_all(county, args.out)
    summary = ", ".join(f"{name} {n}" for name, n in counts.items())
    sys.stderr.write(f"wrote {args.out}: {summary}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
