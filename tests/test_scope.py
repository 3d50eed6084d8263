"""Questions scoped by date and source: `since`, `until`, `sources`.

One index (real default model, real FAISS index on disk) of many look-alike
flood-inspection articles from 2022, a few articles from 2019 and 2024, a
JSONL file with its own date format and an undated note. Scoping must rank
*within* the scope: the best 2019 passage is found even though it is far
outside the global top 50.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot import EmptyScope, Retriever, ScopeError, build_index, scope

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "谁前往镇里检查防汛工作?"

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
TOWNS = "南屿 上街 青口 白沙 洪塘 竹岐 大湖 廷坪 小箬 鸿尾 梧桐 葛岭 嵩口 盖洋 长庆 赤锡".split()


def look_alike(rng: random.Random, n: int) -> str:
    """A 2022 article in which someone inspects flood work in a town: what the question asks."""
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    town = rng.choice(TOWNS)
    return (f"{town}镇防汛工作检查（{n}）\n\n日期:2022-{1 + n % 12:02d}-{1 + n % 27:02d} 来源:市水利局\n\n"
            f"{name}同志前往{town}镇检查防汛工作，查看了河道堤防和排涝泵站的运行情况，"
            f"要求各村落实防汛责任，备足抢险物资。\n")


OLD_FLOOD = ("防汛物资仓库落成\n\n日期:2019-06-12 来源:市应急管理局\n\n"
             "市防汛物资仓库在城东落成，储备编织袋十万条、救生衣两千件。仓库管理员吴海生介绍，"
             "汛期前还将组织各乡镇领取物资。\n")
OLD_OTHER = ("市图书馆新馆开放\n\n日期:2019-09-01 来源:市文化局\n\n"
             "市图书馆新馆今日开放，藏书八十万册，设有少儿阅览区和古籍修复室。\n")
NEW_FLOOD = ("二〇二四年防汛演练\n\n日期:2024-05-20 来源:市应急管理局\n\n"
             "今年的防汛演练在闽江边举行，副市长林国栋前往现场检查防汛准备工作，四百余人参加了演练。\n")
UNDATED = "值班须知\n\n防汛值班人员须二十四小时在岗，接到险情报告后立即上报，不得延误。\n"
RECORDS = [
    {"id": "r1", "title": "海堤加固完工", "date": "2023/8/9",
     "text": "连江县海堤加固工程完工，县长陈立新前往检查防汛设施，全长十二公里的海堤可抵御五十年一遇的风暴潮。"},
]


@pytest.fixture(scope="module")
def scoped(tmp_path_factory):
    root = tmp_path_factory.mktemp("scope")
    data = root / "data"
    (data / "2022").mkdir(parents=True)
    rng = random.Random(12)
    for n in range(70):
        (data / "2022" / f"check_{n:02d}.txt").write_text(look_alike(rng, n), encoding="utf-8")
    (data / "old_flood.txt").write_text(OLD_FLOOD, encoding="utf-8")
    (data / "old_other.txt").write_text(OLD_OTHER, encoding="utf-8")
    (data / "drill_2024.md").write_text(NEW_FLOOD, encoding="utf-8")
    (data / "undated.txt").write_text(UNDATED, encoding="utf-8")
    (data / "records.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in RECORDS) + "\n",
                                        encoding="utf-8")
    report = build_index([data], index_dir=root / "index")
    assert not report.skipped
    return root, Retriever.load(root / "index")


pytestmark = pytest.mark.slow


def test_ranking_happens_within_the_scope(scoped):
    _, retriever = scoped
    everywhere = retriever.search(QUESTION, k=50)
    assert {h.source for h in everywhere} <= {h for h in {p.source for p in retriever.passages}
                                               if h.startswith("2022/") or h in ("drill_2024.md", "records.jsonl")}
    assert "old_flood.txt" not in {h.source for h in everywhere}   # far outside the global top 50
    hits = retriever.search(QUESTION, k=3, until="2019")
    assert [h.source for h in hits] == ["old_flood.txt", "old_other.txt"]   # both 2019 passages, best first
    # the same in every mode: each side ranks within the scope
    for mode in ("dense", "lexical"):
        found = retriever.search(QUESTION, k=3, mode=mode, since="2019-06", until="2019-06-30")
        assert [h.source for h in found] == ["old_flood.txt"], mode


def test_since_and_until_use_the_articles_own_dates(scoped):
    _, retriever = scoped
    in_2023_on = retriever.search(QUESTION, k=10, since="2023-01-01")
    assert {h.source for h in in_2023_on} == {"drill_2024.md", "records.jsonl"}
    assert {h.date for h in in_2023_on} == {"2024-05-20", "2023/8/9"}   # the JSONL's own date format
    only_2022 = retriever.search(QUESTION, k=20, since="2022", until="2022-12")
    assert len(only_2022) == 20 and all(h.source.startswith("2022/") for h in only_2022)
    assert all("2022-01-01" <= h.date <= "2022-12-31" for h in only_2022)


def test_sources_are_names_bare_names_or_globs(scoped):
    _, retriever = scoped
    assert {h.source for h in retriever.search(QUESTION, k=5, sources=["*.md", "records.jsonl"])} == {
        "drill_2024.md", "records.jsonl"}
    assert {h.source for h in retriever.search(QUESTION, k=5, sources="2022/check_07.txt")} == {"2022/check_07.txt"}
    assert {h.source for h in retriever.search(QUESTION, k=5, sources="check_07.txt")} == {"2022/check_07.txt"}
    both = retriever.search(QUESTION, k=50, sources=["2022/*"], since="2022-03-01", until="2022-03-31")
    assert both and all(h.source.startswith("2022/") and h.date.startswith("2022-03") for h in both)
    # an undated article is in scope for sources, never for a date range
    assert [h.source for h in retriever.search("值班人员要做什么?", k=3, sources="undated.txt")] == ["undated.txt"]


@pytest.mark.parametrize("scope_args, words", [
    ({"since": "2030"}, ["no passage in the index is since 2030", "have no date"]),
    ({"sources": ["nothing*.pdf"]}, ["no indexed file matches nothing*.pdf"]),
    ({"sources": "old_other.txt", "since": "2020"}, ["no passage in the index is from old_other.txt and since 2020"]),
    ({"since": "2024", "until": "2023"}, ["the date range is empty"]),
])
def test_a_scope_that_leaves_nothing_says_so(scoped, scope_args, words):
    _, retriever = scoped
    with pytest.raises(EmptyScope) as caught:
        retriever.search(QUESTION, k=3, **scope_args)
    for w in words:
        assert w in str(caught.value), (w, str(caught.value))


def test_a_date_that_is_no_date_is_refused_clearly(scoped):
    _, retriever = scoped
    with pytest.raises(ScopeError, match="not a date"):
        retriever.search(QUESTION, since="last year")
    with pytest.raises(ScopeError, match="month must be 1 to 12"):
        retriever.search(QUESTION, until="2023-13")


def run_cli(*args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_cli_takes_the_same_scope(scoped):
    root, _ = scoped
    asked = run_cli("ask", QUESTION, "--index", "index", "-k", "2", "--until", "2019", "--json", cwd=root)
    assert asked.returncode == 0, asked.stderr
    assert [h["source"] for h in json.loads(asked.stdout)["hits"]] == ["old_flood.txt", "old_other.txt"]
    asked = run_cli("ask", QUESTION, "--index", "index", "-k", "3", "--source", "*.md", "--source",
                    "records.jsonl", cwd=root)
    assert asked.returncode == 0, asked.stderr
    assert "[drill_2024.md" in asked.stdout and "[records.jsonl" in asked.stdout and "2022/" not in asked.stdout
    nothing = run_cli("ask", QUESTION, "--index", "index", "--since", "2030-01-01", cwd=root)
    assert nothing.returncode == 1 and "no passage in the index is since 2030-01-01" in nothing.stderr
    assert "Traceback" not in nothing.stderr
    bad = run_cli("ask", QUESTION, "--index", "index", "--until", "yesterday", cwd=root)
    assert bad.returncode == 1 and "'yesterday' is not a date" in bad.stderr


# ---------------------------------------------------------------- the rules, without an index

def test_dates_and_bounds():
    assert scope.day_number("2023-05-07") == 20230507
    assert scope.day_number("2023/8/9") == 20230809
    assert scope.day_number("2023年8月9日") == 20230809
    assert scope.day_number("2023-08-09T10:00:00+08:00") == 20230809
    assert scope.day_number("") == 0 and scope.day_number("yesterday") == 0
    assert scope.bound("2023", end=False) == 20230101 and scope.bound("2023", end=True) == 20231231
    assert scope.bound("2024-02", end=True) == 20240229 and scope.bound("2023-12", end=True) == 20231231
    assert scope.bound("2023年5月", end=False) == 20230501
    import datetime
    assert scope.bound(datetime.date(2023, 5, 17), end=True) == 20230517
    with pytest.raises(ScopeError):
        scope.bound("2023-02-30", end=False)


def test_no_scope_is_no_filter():
    catalog = scope.Catalog(np.array([20230101, 0]), {"a.txt": np.array([0]), "b.txt": np.array([1])})
    assert catalog.select() is None
    assert catalog.select(since="", until=None, sources=[]) is None
    assert list(catalog.select(sources=["b.txt"])) == [1]
