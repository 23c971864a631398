"""Realistic Chinese names for synthetic people and places, drawn from a seeded generator."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Weighted(Generic[T]):
    """A population with cumulative weights, so each draw is one bisection."""

    items: tuple[T, ...]
    cum_weights: tuple[float, ...]

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]]) -> Weighted[T]:
        return cls(
            tuple(item for item, _ in pairs),
            tuple(itertools.accumulate(weight for _, weight in pairs)),
        )

    @classmethod
    def parse(cls, table: str) -> Weighted[str]:
        """From whitespace-separated "name weight" pairs: "王 7.1  李 7.0 …"."""
        tokens = table.split()
        return Weighted.of(list(zip(tokens[0::2], map(float, tokens[1::2]), strict=True)))

    def pick(self, rng: random.Random) -> T:
        return rng.choices(self.items, cum_weights=self.cum_weights)[0]


# Share per hundred of the population (national figures, rounded), with the northern
# surnames of Inner Mongolia (郭, 高, 郝, 武, 白, 包 …) a little stronger.
SURNAMES: Weighted[str] = Weighted.parse(
    """
    王 7.1  李 7.0  张 6.7  刘 5.4  陈 4.5  杨 3.1  黄 2.2  赵 2.4  吴 2.0  周 1.9
    徐 1.5  孙 1.5  马 1.4  朱 1.3  胡 1.3  郭 1.4  何 1.1  高 1.3  林 1.1  罗 1.0
    郑 0.9  梁 0.9  谢 0.8  宋 0.8  唐 0.8  许 0.7  韩 0.8  冯 0.7  邓 0.7  曹 0.7
    彭 0.6  曾 0.6  肖 0.6  田 0.6  董 0.6  袁 0.5  潘 0.5  于 0.6  蒋 0.5  蔡 0.5
    余 0.5  杜 0.5  叶 0.4  程 0.5  苏 0.5  魏 0.5  吕 0.4  丁 0.4  任 0.4  沈 0.4
    姚 0.4  卢 0.4  姜 0.4  崔 0.4  钟 0.3  谭 0.3  陆 0.3  汪 0.3  范 0.3  金 0.3
    石 0.3  廖 0.3  贾 0.4  夏 0.3  韦 0.2  付 0.3  方 0.3  白 0.4  邹 0.2  孟 0.3
    熊 0.2  秦 0.3  邱 0.2  江 0.2  尹 0.2  薛 0.3  闫 0.3  段 0.2  雷 0.2  侯 0.3
    龙 0.2  史 0.3  陶 0.2  黎 0.1  贺 0.2  顾 0.2  毛 0.2  郝 0.3  龚 0.1  邵 0.2
    万 0.2  钱 0.2  严 0.2  覃 0.1  武 0.3  戴 0.2  莫 0.1  孔 0.2  向 0.1  汤 0.1
    常 0.2  温 0.2  康 0.2  牛 0.2  樊 0.2  乔 0.2  齐 0.2  安 0.2  邢 0.1  庞 0.1
    聂 0.1  岳 0.1  翟 0.1  申 0.1  耿 0.1  关 0.1  焦 0.1  柳 0.1  包 0.2  苗 0.1
    霍 0.1  靳 0.1  萧 0.05  欧阳 0.04  司马 0.01  上官 0.01  诸葛 0.005  东方 0.005
    """
)

# Given-name characters by generation: a 1975 birth certificate reads differently from a
# 1998 one. Each pool: (single-character names, first characters, second characters).
GivenPool = tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]
GIVEN: dict[tuple[str, str], GivenPool] = {
    ("male", "older"): (
        tuple("军伟强勇刚斌平东辉明华杰涛峰波林亮建宏忠"),
        tuple("建国志卫海永振文立红晓德学俊长春玉树"),
        tuple("国华军民强明平东伟刚林峰波生成忠良利新辉"),
    ),
    ("male", "middle"): (
        tuple("磊鹏超健浩凯帅鑫宁亮斌军杰涛飞龙晨阳"),
        tuple("晓志海建俊文宏永鹏东家明宇天立"),
        tuple("东明伟峰涛龙飞鹏强刚亮杰辉军斌波宇"),
    ),
    ("male", "young"): (
        tuple("浩宇轩博鑫昊晨阳帅凯航然睿"),
        tuple("子浩宇俊梓家一思天文嘉明鹏志"),
        tuple("轩然宇航杰博豪泽鹏辰阳远哲凯文"),
    ),
    ("female", "older"): (
        tuple("芳丽敏静红梅霞燕萍玲娟艳英华琴"),
        tuple("秀丽红玉春桂晓海淑美雪彩凤"),
        tuple("英兰梅芳华霞红琴萍珍莲燕云玲"),
    ),
    ("female", "middle"): (
        tuple("娜静婷丽敏燕颖洁倩丹琳雪莉媛"),
        tuple("晓丽海雅佳雪晶春秀美"),
        tuple("燕婷丽娜静敏琳颖玲丹红霞雪倩"),
    ),
    ("female", "young"): (
        tuple("悦璐瑶琪欣妍萌雯颖晴佳婧楠"),
        tuple("欣梓雨思佳诗子一嘉晓梦紫若语"),
        tuple("怡涵萱琪彤瑶妍琳悦雯菲婷月然宁"),
    ),
}
SINGLE_SHARE = {"older": 0.35, "middle": 0.25, "young": 0.12}

# Many Mongols in Inner Mongolia carry a Mongolian name and no surname; some add one.
MONGOLIAN = {
    "male": tuple(
        "巴特尔 额尔敦 那日苏 宝音 巴图 朝鲁 阿拉坦 孟和 苏和 毕力格 巴雅尔 格日勒图 特木尔 "
        "哈斯 乌力吉 布和 图门 达来 满都拉 巴音 胡日查 那顺 斯琴巴特尔 敖其尔 额日和木".split()
    ),
    "female": tuple(
        "乌云 其木格 萨仁 斯琴 托娅 娜仁 高娃 乌日娜 苏日娜 格日乐 萨如拉 塔娜 "
        "敖登 图雅 琪琪格 乌兰 诺敏 阿拉腾其其格 斯琴高娃 其其格".split()
    ),
}
MONGOLIAN_SURNAMES = ("包", "白", "韩", "吴", "陈", "宝", "敖", "鲍")

# Uyghur names: the given name · the father's given name.
UYGHUR_GIVEN = {
    "male": tuple("买买提 艾力 吐尔逊 艾克拜尔 热合曼 亚森 阿迪力 努尔兰 依明".split()),
    "female": tuple("古丽 阿依古丽 热依拉 帕提古丽 迪丽努尔 米娜瓦尔 再努尔 阿依努尔".split()),
}
UYGHUR_FATHER = tuple("艾力 阿不都 吐尔逊 买买提 热合曼 库尔班 艾买提 赛买提 吾守尔".split())

ETHNICITIES: Weighted[str] = Weighted.parse(
    "汉族 82  蒙古族 13  回族 2  满族 2  达斡尔族 0.4  鄂温克族 0.2  朝鲜族 0.2  维吾尔族 0.2"
)


def era(birth_year: int) -> str:
    if birth_year < 1980:
        return "older"
    if birth_year < 1990:
        return "middle"
    return "young"


def given_name(rng: random.Random, gender: str, birth_year: int) -> str:
    generation = era(birth_year)
    singles, firsts, seconds = GIVEN[(gender, generation)]
    if rng.random() < SINGLE_SHARE[generation]:
        return rng.choice(singles)
    first = rng.choice(firsts)
    second = rng.choice(seconds)
    while second == first:
        second = rng.choice(seconds)
    return first + second


def person_name(rng: random.Random, gender: str, birth_year: int, ethnicity: str) -> str:
    if ethnicity == "蒙古族" and rng.random() < 0.5:
        name = rng.choice(MONGOLIAN[gender])
        if rng.random() < 0.3:
            return rng.choice(MONGOLIAN_SURNAMES) + name
        return name
    if ethnicity == "维吾尔族":
        return f"{rng.choice(UYGHUR_GIVEN[gender])}·{rng.choice(UYGHUR_FATHER)}"
    return SURNAMES.pick(rng) + given_name(rng, gender, birth_year)


DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (the numbers of 第N党支部)."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else DIGITS[tens] + "十")
    return head + (DIGITS[ones] if ones else "")


# Syllables for fictional place names; combinations that happen to be real places are
# harmless, and no person is named after them.
PLACE_FIRST = tuple(
    "青金云白安宁临永丰长德兴泰平乐和新东西南北红阳河山林湖川原庆康嘉瑞昌盛华泉石松柳榆杨沙草牧敖达乌巴锡阿"
)
PLACE_SECOND = tuple("泉源川河山林峰原城宁安平丰阳水溪湖岭坪塘庄台口关门拉尔图伦特苏勒")


def place_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct two-character place names not in `taken` (which grows)."""
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(PLACE_FIRST) + rng.choice(PLACE_SECOND)
        if name[0] == name[1] or name in taken:
            continue
        taken.add(name)
        names.append(name)
    return names
