"""The article structure rules, on the seed article and on small made-up texts."""

from pathlib import Path

from bot import article, documents, passages

SEED = Path(__file__).resolve().parent.parent / "data" / "000_e7b07c6adf354492.txt"
PEOPLE = ["杨学敏", "苏健", "蔡敏", "江艳", "王洋玲", "胡铭"]


def seed_doc() -> documents.Document:
    docs, problems = documents.read(SEED, SEED.name)
    assert not problems
    return docs[0]


def test_seed_metadata_is_not_prose():
    a = article.parse(seed_doc())
    assert a.title == "响应号召 逆行有我——记城建铁军抗疫身影(二)"
    assert a.date == "2022-11-16"
    assert a.publisher == "市城乡建设局"
    bodies = [p.text for p in a.paragraphs]
    for junk in ("| | | |", "相关链接", "日期:", "苏健(右二"):
        assert not any(junk in b for b in bodies), junk
    assert {why for _, why in a.dropped} >= {"date/source line", "photo caption fragment",
                                             "list of other articles", "no words (table or rule residue)"}


def test_seed_headings_become_sections():
    a = article.parse(seed_doc())
    sections = list(dict.fromkeys(p.section for p in a.paragraphs))
    assert sections[0] == ""  # the introduction stands under no heading
    assert [s.split(" ")[0] for s in sections[1:]] == PEOPLE
    assert "苏健 政策法规处处长" in sections
    # A paragraph that only says 他 belongs to the person of its heading.
    su = [p for p in a.paragraphs if p.section.startswith("苏健")]
    assert any(p.text.startswith("作为队伍的副指挥长,他") for p in su)
    # Headings are not paragraphs themselves.
    assert not any(p.text in sections for p in a.paragraphs)


def test_offsets_point_at_the_text():
    doc = seed_doc()
    for p in article.parse(doc).paragraphs:
        assert article.normalize(doc.text[p.start:p.end]) == p.text   # the seed is not hard-wrapped
    for p in passages.chunk(doc, article.parse(doc), len, max_tokens=80):
        assert article.normalize(doc.text[p.start:p.end]) == p.text
        for s, e in p.sentences:
            assert p.text[s:e].strip() == p.text[s:e] and p.text[s:e]


def test_non_breaking_spaces_are_normalised():
    a = article.parse(seed_doc())
    assert all("\xa0" not in p.text and "\xa0" not in p.section for p in a.paragraphs)


def test_long_paragraphs_split_at_sentence_ends_under_the_limit():
    doc = seed_doc()
    parsed = article.parse(doc)
    count = len  # one "token" per character: easy to reason about
    found = passages.chunk(doc, parsed, count, max_tokens=150)
    for p in found:
        assert count(passages.embedding_text(p)) <= 150
    # The 351-character 王洋玲 paragraph had to be split, at sentence ends.
    wang = [p for p in found if p.section.startswith("王洋玲")]
    assert len(wang) >= 3
    assert all(p.text.endswith(("。", "”")) for p in wang)
    # With a tighter limit a sentence too long alone is cut at a clause mark.
    tight = passages.chunk(doc, parsed, count, max_tokens=110)
    assert all(count(passages.embedding_text(p)) <= 110 for p in tight)
    assert all(p.text.endswith(("。", "”", ",", "、")) for p in tight if p.section.startswith("王洋玲"))
    # Nothing of the body text is lost or duplicated.
    joined = "".join(p.text.replace("\n", "") for p in found)
    assert joined == "".join(p.text.replace("\n", "") for p in parsed.paragraphs)


def test_short_fragments_merge_within_their_section():
    text = "标题\n\n张三 处长\n\n他很忙。\n\n他做了很多工作,每天早出晚归,为大家服务,获得一致好评。\n\n李四 科长\n\n她也很忙,做了很多很多的工作,大家都很满意她的工作表现。\n"
    doc = documents.Document("t.txt", text, "t.txt", "txt")
    found = passages.chunk(doc, article.parse(doc), len, max_tokens=200)
    assert [p.section for p in found] == ["张三 处长", "李四 科长"]
    assert found[0].text.startswith("他很忙。\n他做了")


def test_embedding_text_carries_title_and_section():
    doc = seed_doc()
    p = [p for p in passages.chunk(doc, article.parse(doc), len, 400) if p.section.startswith("蔡敏")][1]
    assert p.text.startswith("支援闽侯归来,她")
    text = passages.embedding_text(p)
    assert "蔡敏" in text and p.title in text and text.endswith(p.text)


def test_hard_wrapped_english_lines_join():
    text = ("A title\n\nThe first paragraph is wrapped at a fixed width by an old\n"
            "editor so that it spans several lines of the file.\n\nSecond paragraph.\n")
    doc = documents.Document("e.txt", text, "e.txt", "txt")
    paras = article.parse(doc).paragraphs
    assert paras[0].text.startswith("The first paragraph") and paras[0].text.endswith("file.")
    assert "by an old editor so" in paras[0].text and len(paras) == 2


def test_sentence_split_keeps_closing_quotes_and_decimals():
    text = "她说“我们一定能赢。”然后走了。Pi is 3.14 today. Next one!"
    spans = passages.split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["她说“我们一定能赢。”", "然后走了。", "Pi is 3.14 today.", "Next one!"]


def test_initials_and_abbreviations_end_no_sentence():
    """A name with an initial was cut in two (CMRC: "Thomas R." / "Holtz）正式建立...", so the
    highlight held half the name)."""
    text = "1994年，汤玛斯·霍尔兹（Thomas R. Holtz）建立了这个名称。St. John of Matha 与 Dr. Apgar 在场。He left. Then she came."
    assert [text[s:e] for s, e in passages.split_sentences(text)] == [
        "1994年，汤玛斯·霍尔兹（Thomas R. Holtz）建立了这个名称。", "St. John of Matha 与 Dr. Apgar 在场。",
        "He left.", "Then she came."]


def test_chunking_work_grows_linearly_with_an_unbroken_text():
    """A long text without sentence or clause marks (a scraped table, a pasted log) used to
    be re-tokenized from each cut to its end: a 100k-character one took 13 s, a 10 MB upload
    hours. Counted here as characters handed to the tokenizer (the real model's), which must
    grow like the text, not like its square. (bench/chunking.py has the times.)"""
    import random

    from bot import encoder as encoders

    enc = encoders.load_encoder()
    handed = [0]

    def count(text):
        handed[0] += len(text)
        return encoders.count_tokens(enc, text)

    def ends(text):
        handed[0] += len(text)
        return encoders.token_ends(enc, text)

    rng = random.Random(5)
    work = {}
    for n in (4_000, 16_000):
        text = "报道" + "".join(rng.choice("城市建设交通运输管理服务中心工作人员检查安全") for _ in range(n))
        doc = documents.Document(doc_id="d", text=text, source="d.txt", format="txt", title="")
        handed[0] = 0
        found = passages.chunk(doc, article.parse(doc), count, 254, ends)
        work[n] = handed[0]
        assert "".join(p.text for p in found) == article.normalize(text)
        assert all(encoders.count_tokens(enc, passages.embedding_text(p)) <= 254 for p in found)
    assert work[16_000] / work[4_000] < 5, work      # 4x the text: 4x the work, not 16x
    assert work[16_000] < 10 * 16_000, work


def test_numbered_headings_become_sections_and_numbered_items_stay_text():
    # The numbering's 、 is no clause mark: 一、古民居修缮 heads what follows (it was glued to the
    # paragraph before it); a numbered item that says something (一、停水范围：...) stays text.
    text = ("嵩口镇：千年古镇焕新颜\n\n近年来，古镇保护与乡村振兴结合起来。\n\n一、古民居修缮\n\n"
            "全镇已修缮古民居46座，恢复青石板街巷2.3公里。\n\n（二）特色产业\n\n培育特色小吃店和手工作坊32家。\n\n"
            "3. 人才回流\n\n已有57名青年回乡开办民宿。\n\n一、停水范围：东溪街道滨江路沿线。\n\n二、停水期间设置临时供水点2个。\n")
    doc = documents.Document("t.txt", text, "t.txt", "txt")
    paragraphs = article.parse(doc).paragraphs
    assert [(p.section, p.text[:4]) for p in paragraphs] == [
        ("", "近年来，"), ("一、古民居修缮", "全镇已修"), ("（二）特色产业", "培育特色"), ("3. 人才回流", "已有57"),
        ("3. 人才回流", "一、停水"), ("3. 人才回流", "二、停水")]
    # items of one list are not headings, though an item is short and the next long
    listed = "名单\n\n1、县人民医院\n\n2、县第一中学，由校长带队，检查了食堂和宿舍的消防设施\n\n3、县水利局\n"
    doc = documents.Document("l.txt", listed, "l.txt", "txt")
    assert {p.section for p in article.parse(doc).paragraphs} == {""}


def test_a_subtitle_and_a_dateline_under_the_title_are_no_sections():
    # The dateline (no 日期: label) was taken for a heading: every paragraph stood under
    # "鹤浦日报 2024年8月22日 记者 龚立群"; the subtitle was a passage of its own.
    text = ("芦洲大桥主桥合龙 年底有望通车\n——访市交通运输局主要负责人\n\n鹤浦日报 2024年8月22日 记者 龚立群\n\n"
            "8月15日，横跨鹤江的芦洲大桥主桥顺利合龙，芦洲镇群众进城将不再绕行老桥。\n\n记者：芦洲大桥现在进展到哪一步了？\n\n"
            "答：主桥合龙以后，现在正在进行桥面铺装和护栏施工。大桥全长1260米，12月底前具备通车条件。\n\n（完）\n")
    doc = documents.Document("i.txt", text, "i.txt", "txt")
    parsed = article.parse(doc)
    assert parsed.title == "芦洲大桥主桥合龙 年底有望通车 ——访市交通运输局主要负责人"
    assert parsed.date == "2024-08-22"
    assert {p.section for p in parsed.paragraphs} == {""}
    assert not any("（完）" in p.text for p in parsed.paragraphs)
    # an interviewer's question is one passage with its answer, not the tail of the answer before it
    found = passages.chunk(doc, parsed, len, max_tokens=200)
    assert [p.text[:3] for p in found] == ["8月1", "记者："]
    assert found[1].text.startswith("记者：芦洲大桥现在进展到哪一步了？\n答：主桥合龙以后")


def test_a_date_in_the_first_line_of_the_text_is_no_dateline_when_it_says_something():
    text = "工作大事记\n\n2024年3月5日召开全市工作会议，部署全年任务。\n\n2024年4月1日 全市春耕生产现场会在东岭镇召开。\n"
    doc = documents.Document("d.txt", text, "d.txt", "txt")
    assert [p.text[:9] for p in article.parse(doc).paragraphs] == ["2024年3月5日", "2024年4月1日"]
    # no paper, reporter or page in it: the news itself, though it has no comma
    text = "关于端午节放假的通知\n\n放假时间为2024年6月8日至10日共3天\n\n请各单位做好值班安排，确保节日期间安全。\n"
    doc = documents.Document("n.txt", text, "n.txt", "txt")
    parsed = article.parse(doc)
    assert not parsed.dropped and parsed.date == ""      # (a short line before prose: it heads it)


def test_a_web_pages_dateline_under_its_heading_and_a_signature_date_are_no_sections():
    text = ("开学首日 副市长韩雪莹带队督查\n\n2024年9月1日 鹤浦日报 记者 张三\n\n9月1日，全市中小学正式开学，督查组察看了新食堂。\n\n"
            "市教育局\n\n2024年9月2日\n\n附：督查组名单见市教育局网站，欢迎监督。\n")
    doc = documents.Document("p.html", text, "p.html", "html", title="开学首日 副市长韩雪莹带队督查 - 鹤浦市教育局")
    parsed = article.parse(doc)
    assert parsed.date == "2024-09-01"
    assert {p.section for p in parsed.paragraphs} <= {"", "市教育局"}
    # a heading that only begins the title is a heading (芦洲大桥 under 芦洲大桥主桥合龙)
    text = "芦洲大桥\n\n大桥全长1260米，主桥为跨径160米的矮塔斜拉桥，桥面宽26米。\n"
    doc = documents.Document("q.html", text, "q.html", "html", title="芦洲大桥主桥合龙 年底有望通车")
    assert [p.section for p in article.parse(doc).paragraphs] == ["芦洲大桥"]


def test_a_tables_rows_are_one_paragraph():
    # | 2023 | 1350 | 46.7 | alone does not say what its numbers are
    text = ("禾坪村：一片茶园带富一个村\n\n## 三年数据看变化\n\n| 年份 | 茶园面积（亩） | 村集体收入（万元） |\n|---|---|---|\n"
            "| 2022 | 980 | 21.3 |\n| 2023 | 1350 | 46.7 |\n\n## 第一书记\n\n谢振邦到禾坪村任驻村第一书记。\n")
    doc = documents.Document("t.md", text, "t.md", "md")
    paragraphs = article.parse(doc).paragraphs
    assert [p.section for p in paragraphs] == ["三年数据看变化", "第一书记"]
    assert paragraphs[0].text.startswith("| 年份 |") and paragraphs[0].text.endswith("| 2023 | 1350 | 46.7 |")
    # a Word table's rows (docx_reader: cells joined by " | "), and the prose after a table is its own
    text = ("禾坪村：一片茶园带富一个村\n\n年份 | 茶园面积（亩） | 村集体收入（万元）\n2022 | 980 | 21.3\n2023 | 1350 | 46.7\n"
            "村里计划再新增茶园200亩，并把村口的老祠堂改建成茶文化展示馆，力争集体收入突破60万元。\n")
    doc = documents.Document("t.docx", text, "t.docx", "docx")
    assert [p.text[:4] for p in article.parse(doc).paragraphs] == ["年份 |", "村里计划"]


def test_a_web_pages_heading_that_repeats_its_title_is_no_section():
    text = "开学首日 副市长韩雪莹带队督查校园安全\n\n9月1日，全市中小学正式开学。\n\n新食堂投入使用\n\n在市第三中学，督查组察看了新学生食堂。\n"
    doc = documents.Document("p.html", text, "p.html", "html", title="开学首日 副市长韩雪莹带队督查校园安全_鹤浦市教育局")
    assert [p.section for p in article.parse(doc).paragraphs] == ["", "新食堂投入使用"]


def test_a_numbered_part_headed_by_a_quotation_is_a_section():
    text = ("把好医生送到家门口\n\n今年3月起，市中医院选派9名医生到乡镇卫生院驻点。\n\n一、“针灸室不能只是摆设”\n\n"
            "官田镇卫生院原本有一间针灸室，一直用来堆放杂物。\n\n二、“村里老人走不远，我就走过去”\n\n何展鹏驻点茅岭乡卫生院。\n")
    doc = documents.Document("q.txt", text, "q.txt", "txt")
    assert [p.section for p in article.parse(doc).paragraphs] == [
        "", "一、“针灸室不能只是摆设”", "二、“村里老人走不远，我就走过去”"]


def test_text_copied_from_a_pdf_loses_its_page_furniture_and_joins_its_lines():
    # cut at about 30 characters, a page number and the running header between pages
    text = ("北塘镇供水工程进展情况报告\n"
            "北塘镇城乡供水工程是我市今年的重点民生工程，工程总投资1.36\n亿元，由市水务投资有限公司作为项目业主，建工集团有限公司承建。\n"
            "工程以龙潭水库为水源，新建北塘水厂1座，设计日供水规模为2万吨\n，铺设输配水主管网46.8公里，建成后可覆盖北塘镇14个行政村及集\n"
            "镇区。\n二、工程进展情况\n\n- 1 -\n\n北塘镇供水工程进展情况报告\n"
            "截至2025年5月31日，工程累计完成投资8920万元，占总投资的\n65.6%，其中主管网已经铺设38.2公里，占设计长度的81.6%，\n"
            "项目部现有施工人员260余人，机械设备42台套，由项目部经理卜海峰\n统一负责施工组织和现场调度，各班组每天都按计划完成当天的铺设\n\n"
            "- 2 -\n\n北塘镇供水工程进展情况报告\n任务。\n")
    doc = documents.Document("r.txt", text, "r.txt", "txt")
    a = article.parse(doc)
    assert a.title == "北塘镇供水工程进展情况报告"
    texts = [p.text for p in a.paragraphs]
    assert any("总投资1.36亿元" in t and "承建。" in t for t in texts), texts
    assert any("规模为2万吨，铺设" in t and "集镇区。" in t for t in texts), texts
    assert [p.section for p in a.paragraphs if "8920万元" in p.text] == ["二、工程进展情况"]
    # a sentence cut by the page's end goes on after the next page's header
    assert any(t.endswith("各班组每天都按计划完成当天的铺设任务。") for t in texts), texts   # not the page's end
    cut = [p for p in passages.chunk(doc, a, len, max_tokens=200) if "8920万元" in p.text]
    assert "总投资的65.6%" in cut[0].text and "铺设任务。" in cut[0].text and "\n" not in cut[0].text
    for p in a.paragraphs:
        assert article.normalize(a.text[p.start:p.end]) == p.text and len(a.text) == len(doc.text)
    assert {why for _, why in a.dropped} >= {"page number", "running header"}
    assert not any(p.text == "北塘镇供水工程进展情况报告" or p.text == "- 1 -" for p in a.paragraphs)


def test_an_official_documents_title_is_its_subject_line_under_the_issuer():
    text = ("澄川市住房和城乡建设局 澄川市财政局\n关于做好2025年农村住房安全保障工作的通知\n\n澄住建村〔2025〕18号\n\n"
            "各县（区）住房和城乡建设局、财政局：\n为切实保障农村低收入群体住房安全，现就有关工作通知如下：\n"
            "一、保障对象\n主要包括农村低保户、农村分散供养特困人员和低保边缘家庭。\n")
    a = article.parse(documents.Document("n.txt", text, "n.txt", "txt"))
    assert a.title == "关于做好2025年农村住房安全保障工作的通知"
    assert a.publisher == "澄川市住房和城乡建设局 澄川市财政局"
    assert not any("澄住建村" in p.text for p in a.paragraphs)
    assert [p.section for p in a.paragraphs if "低保户" in p.text] == ["一、保障对象"]


def test_a_briefs_numbered_cases_are_sections_and_a_lists_last_item_is_no_heading():
    text = ("法院发布典型案例\n为提高老年人识骗防骗能力，市中级人民法院发布典型案例。\n"
            "案例一：黄某某以销售“特效保健品”实施诈骗案\n被告人黄某某在川东区租用门店，以免费体检为诱饵骗取老人钱财。\n"
            "案例二：雷某某冒充医保局工作人员诈骗案\n被告人雷某某冒充医保部门工作人员拨打电话，诱骗被害人转账8.6万元。\n")
    a = article.parse(documents.Document("c.txt", text, "c.txt", "txt"))
    assert [p.section for p in a.paragraphs if "雷某某冒充医保部门" in p.text] == ["案例二：雷某某冒充医保局工作人员诈骗案"]
    listed = ("先进名单\n一、先进集体（3个）\n梧溪县桐溪镇人民政府\n市气象局气象台\n澄川市森林消防大队一中队\n"
              "二、先进个人（2名）\n葛春生 梧溪县桐溪镇柳塘村党支部书记\n麦清源 市林业局森林资源管理科科长\n")
    b = article.parse(documents.Document("l.txt", listed, "l.txt", "txt"))
    assert "澄川市森林消防大队一中队" not in {p.section for p in b.paragraphs}
    assert any("澄川市森林消防大队一中队" in p.text for p in b.paragraphs)


def test_short_lines_of_like_length_are_a_list_not_a_hard_wrapped_text():
    items = ["新建改建城乡供水管网一百二十公里惠及十万人", "改造提升老旧小区住房一万二千户以上惠及居民",
             "新增公办幼儿园学位三千六百个以上缓解入园难", "建成乡镇区域养老服务中心十二个覆盖全部乡镇",
             "新建城市公共停车泊位五千个以上缓解停车难题", "完成农村危房改造任务一千五百户保障住房安全"]
    for marker in ("- ", ""):
        text = "民生实事\n记者从市政府获悉，今年我市确定十项民生实事项目，具体名单如下：\n" + \
            "\n".join(marker + item for item in items) + "\n市政府将定期通报项目进展。\n"
        a = article.parse(documents.Document("l.txt", text, "l.txt", "txt"))
        assert not any(sum(item in p.text for item in items) > 1 for p in a.paragraphs), [p.text for p in a.paragraphs]
        if marker:    # an item is no heading (unmarked, the last one over a sentence reads as one)
            assert all(p.section == "" for p in a.paragraphs)


def test_a_hard_wrapped_line_is_joined_not_taken_for_a_heading_or_a_caption():
    text = ("北塘镇供水工程进展情况\n"
            "北塘镇城乡供水工程是我市今年的重点民生工\n程，工程总投资1.36亿元，由市水务投资\n"
            "有限公司作为项目业主，建工集团有限公司承\n建，计划今年年底前建成通水。\n"
            "根据市政府常务会议的研究决定北塘水厂建成\n后由市水务集团下属供水公司负责日常运营管\n理。\n"
            "工程实行“两班倒”施工，计划于2025年9月3\n0日建成通水，届时将在新水厂举行“通水仪\n式”。\n"
            "截至五月底，工程累计完成投资八千九百万元\n，占总投资的百分之六十五，其中主管网已经\n"
            "铺设三十八公里，水厂主体结构已经封顶。\n")
    a = article.parse(documents.Document("w.txt", text, "w.txt", "txt"))
    texts = [p.text for p in a.paragraphs]
    assert "根据市政府常务会议的研究决定北塘水厂建成后由市水务集团下属供水公司负责日常运营管理。" in texts, texts
    assert any("2025年9月30日建成通水，届时将在新水厂举行“通水仪式”。" in t for t in texts), texts
    assert {p.section for p in a.paragraphs} == {""}


def test_english_hard_wraps_keep_a_space_and_page_furniture_needs_page_numbers():
    text = ("Water works open\nThe new plant in the north of the city was opened by Zhang Wei (张伟) on\n"
            "Monday and it will supply twenty thousand homes from next month, the council said.\n")
    a = article.parse(documents.Document("e.txt", text, "e.txt", "txt"))
    assert "(张伟) on Monday and" in a.paragraphs[0].text
    report = ("工作报告\n一、城乡供水\n主要成效\n全年新建改建供水管网一百二十公里，十万群众喝上放心水。\n存在问题\n"
              "部分村组管网老化，漏损率仍然偏高。\n二、老旧小区\n主要成效\n全年改造老旧小区住房一万二千户。\n存在问题\n"
              "个别小区居民意见不一，加装电梯推进较慢。\n- 1 -\n")
    b = article.parse(documents.Document("r.txt", report, "r.txt", "txt"))
    assert b.dropped == [("- 1 -", "page number")]     # one page number: 存在问题 twice is no running header
    numbered = "澄住建村〔2025〕18号\n关于做好农村住房安全保障工作的通知\n为切实保障农村低收入群体住房安全，现通知如下。\n"
    c = article.parse(documents.Document("n.txt", numbered, "n.txt", "txt"))
    assert c.title == "关于做好农村住房安全保障工作的通知"


def test_a_posts_list_of_other_articles_and_calls_to_follow_are_no_text():
    text = ("周末去鹿港看灯会\n原创 鹿港文旅 2025-02-08\n"
            "元宵灯会2月12日在鹿港古街开幕，共展出大型灯组36组，每晚18:00亮灯。\n"
            "- END -\n来源：鹿港镇人民政府\n往期推荐\n👉 重磅！鹿港新增2家4A级景区\n👉 鹿港这条骑行道，你去过吗？\n"
            "点击蓝字 关注我们\n分享 收藏 点赞 在看\n")
    a = article.parse(documents.Document("w.txt", text, "w.txt", "txt"))
    texts = " ".join(p.text for p in a.paragraphs)
    assert "36组" in texts and "4A级" not in texts and "骑行道" not in texts and "关注" not in texts, texts
    assert "往期推荐" not in {p.section for p in a.paragraphs}
    # after the list, text again: a sentence, or a line longer than a title
    more = ("街道简讯\n社区食堂开业，每天供应午餐。\n相关阅读\n社区食堂开业\n"
            "另据了解，街道今年还将新建两处社区食堂，预计年底前投入使用，可为辖区600余名老人提供助餐服务。\n")
    b = article.parse(documents.Document("m.txt", more, "m.txt", "txt"))
    assert any("600余名老人" in p.text for p in b.paragraphs)
    assert ("社区食堂开业", "list of other articles") in b.dropped
    # a numbered heading ends the list too; a sentence that says 关注我们 is text; 相关阅读：a title, one line
    notice = ("街道简讯\n社区食堂开业，每天供应午餐。\n相关阅读：鹿港新增2家4A级景区\n相关链接\n一、下一步工作\n"
              "街道将继续推进助餐服务。\n感谢社会各界一直关注我们。\n")
    c = article.parse(documents.Document("n.txt", notice, "n.txt", "txt"))
    assert "一、下一步工作" in {p.section for p in c.paragraphs}, c.paragraphs
    assert any("一直关注我们" in p.text for p in c.paragraphs)
    assert not any("4A级" in p.text for p in c.paragraphs)
    # 相关阅读：a title is the whole list; a heading in brackets ends one; a QR code to book is text
    d = article.parse(documents.Document("d.txt", "公告\n门诊时间调整，周六照常开诊。\n相关阅读：门诊新规\n周日停诊\n"
                                          "往期推荐\n鹿港新增2家4A级景区\n【就诊提醒】\n扫描下方二维码即可预约挂号\n", "d.txt", "txt"))
    kept = " ".join(p.text for p in d.paragraphs)
    assert "周日停诊" in kept and "预约挂号" in kept and "4A级" not in kept, d.paragraphs


def test_a_press_conference_question_is_one_passage_with_its_answer():
    # the outlet's name before 记者 hid the question: it was a passage of its own, and its words
    # (怎么减少扰民?) matched a user's question better than the answer under it
    text = ("全市老旧小区改造新闻发布会实录\n\n"
            "主持人：下面进入提问环节，请记者朋友提问前先介绍所在的新闻机构。\n\n"
            "鹿港广播电视台记者：老旧小区改造施工期间，居民出行难免受影响，怎么减少扰民？\n\n"
            "邝雨桐：我们要求每个改造小区都做到“一小区一方案”，开工前公示施工时间，夜间22时后禁止噪声作业。\n\n"
            "新华社记者 王涛：改造资金从哪里来？\n\n"
            "骆文谦：主要由中央补助资金、地方财政资金和居民出资共同承担，今年共争取中央补助3.2亿元。\n")
    doc = documents.Document("p.txt", text, "p.txt", "txt")
    found = passages.chunk(doc, article.parse(doc), len, max_tokens=200)
    assert [p.text.split("\n")[0][:6] for p in found] == ["主持人：下面", "鹿港广播电视", "新华社记者 "], \
        [p.text for p in found]
    assert "夜间22时后" in found[1].text and "3.2亿元" in found[2].text
    # what a resident told a reporter is no interviewer's question
    told = "居民反映\n\n有市民向记者反映：小区门口那排路灯坏了快一个月了，什么时候能修好？\n\n街道回复称，路灯已列入本月维修计划，预计20日前修复完毕。\n"
    doc = documents.Document("t.txt", told, "t.txt", "txt")
    assert len(passages.chunk(doc, article.parse(doc), len, max_tokens=200)) == 2


def test_a_line_wholly_in_square_brackets_heads_what_follows_colon_and_all():
    text = ("灯会攻略来了\n\n【活动时间】\n2月12日至2月16日，每晚18:00亮灯。\n\n"
            "【亮点一：非遗打铁花】\n每晚20:00在古街广场表演，每场约15分钟，共演出10场。\n\n"
            "【亮点二：猜灯谜】\n灯谜区设在文庙前，猜中可领取文创奖品一份。\n")
    a = article.parse(documents.Document("b.txt", text, "b.txt", "txt"))
    sections = {p.section: p.text for p in a.paragraphs}
    assert sections.get("【亮点一：非遗打铁花】", "").startswith("每晚20:00"), sections
    assert "【亮点二" not in " ".join(sections.values())


def test_a_heading_that_begins_the_title_is_a_section_of_its_own():
    # Only the title word for word is dropped as "the title again": 南通镇 opens 南通镇 防汛工作总结 but heads a part
    text = ("# 南通镇 防汛工作总结\n\n## 概况\n\n今年南通镇共转移群众三千人，无一伤亡。\n\n"
            "## 南通镇\n\n南通镇位于闽侯县南部，人口五万。\n\n## 南通镇 防汛工作总结\n\n汛期共巡堤四十次。\n")
    a = article.parse(documents.Document("n.md", text, "n.md", "md"))
    assert a.title == "南通镇 防汛工作总结"
    section_of = {p.text[:6]: p.section for p in a.paragraphs}
    assert section_of["南通镇位于闽"] == "南通镇" and section_of["今年南通镇共"] == "概况"
    assert section_of["汛期共巡堤四"] == "南通镇", a.dropped   # the title again is no section
