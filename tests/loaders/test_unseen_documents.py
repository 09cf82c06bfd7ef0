"""Whole made-up documents in the forms other jurisdictions and years use — none of them is
one of the bundled five — run through the full pipeline."""

from __future__ import annotations

from datetime import date

from policykg.loaders.extract import extract_record, extract_text
from policykg.loaders.reading import source_from_bytes

COUNTY_TRADITIONAL = """長興縣人民政府辦公室關於印發長興縣縣域醫共體建設實施方案的通知
長政辦發〔2018〕45號

各鄉鎮人民政府，各街道辦事處，縣政府各部門：
《長興縣縣域醫共體建設實施方案》已經縣政府同意，現印發給你們，請認真貫徹執行。

長興縣人民政府辦公室
2018年9月3日

一、主要任務
1．組建縣域醫共體。以縣人民醫院為龍頭組建2個醫共體，2018年底前完成。（縣衛生計生局、縣編辦、縣財政局負責）
2．推進醫保支付方式改革。全面實施醫保總額預算管理，探索按疾病診斷相關分組付費。（縣人力社保局、縣衛生計生局負責）
3．加強家庭醫生簽約服務。重點人群簽約服務覆蓋率達到70%以上。（縣衛生計生局負責）
"""


def test_a_county_document_in_traditional_characters() -> None:
    record = extract_text(COUNTY_TRADITIONAL, path="changxing.txt")
    assert record.title == "長興縣人民政府辦公室關於印發長興縣縣域醫共體建設實施方案的通知"
    assert record.doc_number == "长政办发〔2018〕45号"
    assert record.issue_date == date(2018, 9, 3)
    assert record.jurisdiction is not None
    assert (record.jurisdiction.name, record.jurisdiction.adcode, record.jurisdiction.level) == ("长兴县", "330522", "county")
    assert record.parent_jurisdiction is not None and record.parent_jurisdiction.adcode == "330500"
    assert [m.number for m in record.measures] == ["1", "2", "3"]
    first = record.measures[0]
    assert first.lead_agency is not None and first.lead_agency.name == "县卫生计生局"
    assert first.lead_agency.function == "health"
    assert first.deadline == "2018年底前"
    assert "縣衛生計生局" in first.text  # evidence stays as printed
    ids = {i.id: i.stage for i in record.instruments}
    assert ids["county-medical-community"] in ("promote", "implement")
    assert ids["drg-payment"] == "explore"
    assert ids["global-budget"] == "implement"
    target = next(t for t in record.targets if t.unit == "%")
    assert (target.comparator, target.value) == (">=", 70)
    assert "簽約" in target.text


NATIONAL_GBK = """国务院办公厅关于印发深化医药卫生体制改革2016年重点工作任务的通知
国办发〔2016〕26号

各省、自治区、直辖市人民政府，国务院各部委、各直属机构：
《深化医药卫生体制改革2016年重点工作任务》已经国务院同意，现印发给你们，请认真贯彻执行。

国务院办公厅
2016年4月21日

一、全面深化公立医院改革
（一）巩固完善县级公立医院综合改革。试点城市公立医院药占比（不含中药饮片）总体降到30%左右。（国家卫生计生委、财政部、人力资源社会保障部负责）
（二）推进医保支付方式改革。在4个城市开展按疾病诊断相关分组付费试点。（人力资源社会保障部、国家卫生计生委负责）
"""


def test_a_national_document_in_gbk() -> None:
    record = extract_record(source_from_bytes(NATIONAL_GBK.encode("gbk"), path="guoban.txt"))
    assert record.source.encoding == "gb18030"
    assert record.doc_number == "国办发〔2016〕26号"
    assert record.jurisdiction is not None and record.jurisdiction.level == "national"
    assert record.jurisdiction.adcode == "100000"
    assert record.parent_jurisdiction is None
    assert [m.number for m in record.measures] == ["1", "2"]  # one list: printed numbers
    assert record.measures[0].lead_agency is not None and record.measures[0].lead_agency.function == "health"
    assert record.measures[1].lead_agency is not None and record.measures[1].lead_agency.name == "人力资源社会保障部"
    assert {i.id: i.stage for i in record.instruments}["drg-payment"] == "pilot"
    assert any(t.comparator == "~" and t.value == 30 for t in record.targets)


CITY_SPAM_2021 = """澳门金沙app-官网入口@
当前位置：首页 > 政务公开 > 政策文件
澳门金沙app-官网入口@关于印发福州市推进医保DRG付费改革工作方案的通知
来源：澳门金沙app-官网入口@  发布时间：2021-03-18 09:12  字号：[大 中 小]
榕政综〔2021〕36号

各县（市）区人民政府，市直各委、办、局：
现将《福州市推进医保DRG付费改革工作方案》印发给你们，请认真组织实施。

澳门金沙app-官网入口@
2021年3月12日

一、工作任务
（一）2021年在市本级和闽侯县开展DRG付费试点，2022年全面推开。（市医保局牵头，市卫健委、市财政局配合）
（二）建立结余留用、合理超支分担机制。（市医保局负责）
"""


def test_a_city_page_whose_government_name_was_replaced_by_spam() -> None:
    record = extract_text(CITY_SPAM_2021, path="fuzhou.html.txt")
    assert record.jurisdiction is not None and record.jurisdiction.adcode == "350100"
    assert record.issue_date == date(2021, 3, 12)
    assert [i.name for i in record.issuers] == ["福州市人民政府"]
    assert record.title == "福州市人民政府关于印发福州市推进医保DRG付费改革工作方案的通知"
    assert any("spam" in w for w in record.warnings)
    first = record.measures[0]
    assert first.lead_agency is not None and first.lead_agency.name == "市医保局"
    assert [a.name for a in first.agencies] == ["市医保局", "市卫健委", "市财政局"]
    drg = next(i for i in record.instruments if i.id == "drg-payment")
    assert drg.stage == "implement"  # 2022年全面推开
    sites = {s.adcode for p in record.pilot_sites for s in p.sites}
    assert "350121" in sites  # 闽侯县


HISTORIC_2012 = """山东省人民政府办公厅关于做好2012年城镇居民医疗保险工作的通知
鲁政办发〔2012〕20号

各市人民政府，省政府各部门：
现就有关事项通知如下。

山东省人民政府办公厅
二○一二年四月五日

一、提高筹资标准。莱芜市等各市城镇居民医保财政补助标准提高到每人每年240元。（省人力资源社会保障厅、省财政厅分别负责）
二、推进门诊统筹。各市要全面开展门诊统筹。（省人力资源社会保障厅负责）
"""


def test_a_2012_document_resolves_codes_of_its_time() -> None:
    record = extract_text(HISTORIC_2012, path="shandong.txt")
    assert record.issue_date == date(2012, 4, 5)
    assert record.jurisdiction is not None and record.jurisdiction.adcode == "370000"
    assert [m.number for m in record.measures] == ["1", "2"]
    first = record.measures[0]
    assert first.jointly is False  # 分别负责
    assert first.lead_agency is not None
    # in 2012 the human-resources department still ran medical insurance
    target = first.targets[0]
    assert (target.comparator, target.value, target.unit) == ("=", 240, "元/人/年")
    assert {i.id for i in record.instruments} >= {"outpatient-pooling"}


YUNFU = """市政府办公室关于印发云浮市进一步深化医药卫生体制改革实施方案的通知
云府办〔2019〕12号

各县（市、区）人民政府，市政府各部门：
现将《云浮市进一步深化医药卫生体制改革实施方案》印发给你们，请认真组织实施。

市政府办公室
2019年6月10日

一、推进紧密型县域医共体建设，2020年底前实现县域全覆盖。（市卫生健康局负责）
二、全面推行按病种付费。（市医保局负责）
"""


def test_yun_fu_ban_is_yunfu_city_not_yunnan() -> None:
    record = extract_text(YUNFU, path="yunfu.txt")
    assert record.jurisdiction is not None
    assert (record.jurisdiction.adcode, record.jurisdiction.level) == ("445300", "city")
    assert record.parent_jurisdiction is not None and record.parent_jurisdiction.adcode == "440000"
    assert [i.name for i in record.issuers] == ["云浮市人民政府办公室"]


HAINAN_PREFECTURE = """海南州人民政府关于加快推进分级诊疗制度建设的实施意见
南政〔2017〕31号

各县人民政府，州政府各部门：
现提出如下实施意见。

海南州人民政府
2017年8月1日

一、推进医联体建设。到2017年底，各县组建1个县域医共体。（州卫生计生委负责）
"""


def test_hainan_prefecture_is_in_qinghai() -> None:
    record = extract_text(HAINAN_PREFECTURE, path="hainanzhou.txt")
    assert record.jurisdiction is not None
    assert record.jurisdiction.adcode == "632500"
    assert record.parent_jurisdiction is not None and record.parent_jurisdiction.adcode == "630000"
