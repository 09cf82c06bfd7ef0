"""Quantitative targets and deadlines, read from small made-up measures in the style of
provincial, city and county health-reform documents (2009–2024).

Inputs are the matching view (`normalise(...).text`): ASCII ( ) , ; : % and digits.
"""

from decimal import Decimal

import pytest

from policykg.loaders.targets import Deadline, Target, extract_deadlines, extract_targets, measure_deadline
from policykg.loaders.text import normalise


def view(original: str) -> str:
    return normalise(original).text


def one(text: str) -> Target:
    found = extract_targets(text)
    assert len(found) == 1, found
    return found[0]


def by_indicator(targets: list[Target], indicator: str) -> Target:
    matches = [t for t in targets if t.indicator == indicator]
    assert len(matches) == 1, [t.indicator for t in targets]
    return matches[0]


# --- comparators -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "indicator", "comparator", "value", "unit"),
    [
        # >= : 以上 / 不低于 / 不少于 / 至少 / bare 达到 / 稳定在…以上
        ("家庭医生签约服务覆盖率达到45%以上。", "家庭医生签约服务覆盖率", ">=", 45, "%"),
        ("大病保险政策范围内支付比例不低于50%。", "大病保险政策范围内支付比例", ">=", 50, "%"),
        ("实行按病种付费的病种数不少于200个。", "实行按病种付费的病种数", ">=", 200, "个"),
        ("城乡居民医保参保率稳定在95%以上。", "城乡居民医保参保率", ">=", 95, "%"),
        ("力争网上药品集中采购率达到95%。", "网上药品集中采购率", ">=", 95, "%"),
        ("居民电子健康档案建档率达80%。", "居民电子健康档案建档率", ">=", 80, "%"),
        # <= : 以下 / 以内 / 不超过 / 不高于 / 上限为 / 控制在
        ("百元医疗收入消耗卫生材料降到20元以下。", "百元医疗收入消耗卫生材料", "<=", 20, "元"),
        ("个人卫生支出占卫生总费用比重控制在28%以内。", "个人卫生支出占卫生总费用比重", "<=", 28, "%"),
        ("每个家庭医生团队签约居民原则上不超过2000人。", "签约居民", "<=", 2000, "人"),
        ("城市医疗集团牵头医院床位数不高于1500张。", "床位数", "<=", 1500, "张"),
        ("医疗费用增长控制目标上限为9%。", "医疗费用增长", "<=", 9, "%"),
        ("公立医院医疗费用增长幅度控制在10%。", "医疗费用增长幅度", "<=", 10, "%"),
        # ~ : 左右 / 约 / 控制在…左右 / 降到…左右
        ("城市公立医院药占比降到30%左右。", "药占比", "~", 30, "%"),
        ("医保基金支出增长控制在12%左右。", "医保基金支出增长", "~", 12, "%"),
        ("基本医保门诊统筹报销比例约为50%。", "基本医保门诊统筹报销比例", "~", 50, "%"),
        # = : 提高到 / 调整为 / 降到 without 以下/左右 / exact counts
        ("人均基本公共卫生服务经费补助标准提高到40元。", "人均基本公共卫生服务经费补助标准", "=", 40, "元"),
        ("一般诊疗费调整为10元。", "一般诊疗费", "=", 10, "元"),
        ("三级医院平均住院日降到9天。", "平均住院日", "=", 9, "天"),
        ("全省建成30个紧密型县域医共体。", "紧密型县域医共体", "=", 30, "个"),
        # < / > stated as the goal
        ("二级以上公立医院预约诊疗率高于50%。", "预约诊疗率", ">", 50, "%"),
        ("三级医院平均住院日低于8天。", "平均住院日", "<", 8, "天"),
    ],
)
def test_comparator_forms(text, indicator, comparator, value, unit):
    target = one(text)
    assert (target.indicator, target.comparator, target.value, target.unit) == (
        indicator, comparator, Decimal(value), unit,
    )


def test_explicit_comparator_wins_over_the_verb():
    assert one("居民医保基金最高支付限额提高到不低于8万元。").comparator == ">="
    assert one("门诊次均费用增幅控制在不超过5%。").comparator == "<="
    assert one("每个乡镇卫生院至少配备2名全科医生。").comparator == ">="
    assert one("住院费用实际报销比例稳定在75%左右。").comparator == "~"


def test_scope_and_trimmed_indicator():
    target = one(view("2017年，城市公立医院药占比（不含中药饮片）总体降到30%左右。"))
    assert target.indicator == "药占比"
    assert target.scope == "城市公立医院"
    target = one(view("全市户籍人口基本医保参保覆盖率达到97%以上。"))
    assert (target.indicator, target.scope) == ("户籍人口基本医保参保覆盖率", "全市")
    target = one(view("试点县（市、区）要实现县域内就诊率90%的目标。"))
    assert (target.indicator, target.scope, target.comparator) == ("县域内就诊率", "试点县(市、区)", ">=")


def test_internal_parenthetical_is_kept_in_the_indicator():
    target = one(view("百元医疗收入（不含药品收入）消耗卫生材料控制在20元以内。"))
    assert target.indicator == "百元医疗收入(不含药品收入)消耗卫生材料"
    assert target.comparator == "<="


# --- several targets in one sentence ---------------------------------------------------------

def test_two_targets_with_their_own_indicators():
    text = view(
        "城市公立医院药占比（不含中药饮片）总体降到30%左右，百元医疗收入（不含药品收入）消耗卫生材料降到20元以下。"
    )
    found = extract_targets(text)
    assert [(t.indicator, t.comparator, t.value, t.unit) for t in found] == [
        ("药占比", "~", Decimal(30), "%"),
        ("百元医疗收入(不含药品收入)消耗卫生材料", "<=", Decimal(20), "元"),
    ]
    assert found[0].scope == found[1].scope == "城市公立医院"
    assert found[1].text == "百元医疗收入(不含药品收入)消耗卫生材料降到20元以下"
    assert text[found[1].start:found[1].end] == found[1].text


def test_three_targets_across_semicolons():
    text = view(
        "职工医保政策范围内住院费用支付比例稳定在80%以上；居民医保政策范围内住院费用支付比例"
        "稳定在75%以上，基金最高支付限额提高到不低于15万元。"
    )
    found = extract_targets(text)
    assert [(t.indicator, t.comparator, t.value, t.unit) for t in found] == [
        ("职工医保政策范围内住院费用支付比例", ">=", Decimal(80), "%"),
        ("居民医保政策范围内住院费用支付比例", ">=", Decimal(75), "%"),
        ("基金最高支付限额", ">=", Decimal(15), "万元"),
    ]


def test_caps_with_scopes():
    text = view(
        "全市医疗费用增长控制目标上限为9%，其中，市级公立医院医疗费用增长控制目标上限为7%，"
        "县级公立医院医疗费用增长控制目标上限为8%；各级各类公立医疗机构门（急）诊、住院次均费用"
        "增长控制目标上限均为4%。"
    )
    found = extract_targets(text)
    assert [(t.scope, t.indicator, t.comparator, t.value) for t in found] == [
        ("全市", "医疗费用增长", "<=", Decimal(9)),
        ("市级公立医院", "医疗费用增长", "<=", Decimal(7)),
        ("县级公立医院", "医疗费用增长", "<=", Decimal(8)),
        ("各级各类公立医疗机构", "门(急)诊、住院次均费用增长", "<=", Decimal(4)),
    ]


def test_list_under_one_goal_verb():
    found = extract_targets(view("试点县（市、区）要率先实现县域内就诊率90%、基层就诊率65%的目标。"))
    assert [(t.indicator, t.comparator, t.value, t.scope) for t in found] == [
        ("县域内就诊率", ">=", Decimal(90), "试点县(市、区)"),
        ("基层就诊率", ">=", Decimal(65), "试点县(市、区)"),
    ]


def test_values_under_分别():
    found = extract_targets("高血压、糖尿病患者规范管理率分别达到60%和55%。")
    assert [(t.indicator, t.value) for t in found] == [
        ("高血压、糖尿病患者规范管理率", Decimal(60)),
        ("高血压、糖尿病患者规范管理率", Decimal(55)),
    ]


def test_second_floor_inherits_the_indicator():
    found = extract_targets("各统筹地区新农合最高支付限额达到当地农民人均纯收入的8倍以上,且不低于6万元。")
    assert [(t.indicator, t.comparator, t.value, t.unit) for t in found] == [
        ("新农合最高支付限额", ">=", Decimal(8), "倍"),
        ("新农合最高支付限额", ">=", Decimal(6), "万元"),
    ]
    assert found[1].scope == "各统筹地区"
    assert found[0].per == "当地农民人均纯收入"
    assert found[1].text.startswith("各统筹地区")


def test_coordinated_counts_after_one_verb():
    found = extract_targets("建成5个省级示范县、20个省级示范社区卫生服务中心。")
    assert [(t.indicator, t.comparator, t.value, t.unit) for t in found] == [
        ("省级示范县", "=", Decimal(5), "个"),
        ("省级示范社区卫生服务中心", "=", Decimal(20), "个"),
    ]


# --- ranges, per-population ratios, units, baselines -----------------------------------------

@pytest.mark.parametrize(
    ("text", "value", "value_max", "unit"),
    [
        ("选择1—2个设区市开展按疾病诊断相关分组付费试点。", 1, 2, "个"),
        ("各地要选择1至2个县开展试点。", 1, 2, "个"),
        ("每家三级医院都有1-3个省级临床重点专科。", 1, 3, "个"),
        ("社区卫生服务中心服务人口一般为3-10万人。", 3, 10, "万人"),
        ("药占比降低到30%—35%。", 30, 35, "%"),
        ("每个县域组建一至两个医共体。", 1, 2, "个"),
    ],
)
def test_ranges(text, value, value_max, unit):
    target = one(text)
    assert (target.comparator, target.value, target.value_max, target.unit) == (
        "between", Decimal(value), Decimal(value_max), unit,
    )


def test_per_population_ratio_kept_exact():
    target = one("社会办医院床位数不低于每千常住人口1.5张。")
    assert (target.per, target.value, target.unit, target.comparator) == ("每千常住人口", Decimal("1.5"), "张", ">=")
    target = one("每千人口执业(助理)医师数达到2.5人。")
    assert (target.indicator, target.per, target.value) == ("执业(助理)医师数", "每千人口", Decimal("2.5"))


def test_goal_of_general_practitioners_per_population():
    target = one("力争实现2020年每万常住人口拥有2名全科医生的目标。")
    assert target.indicator == "全科医生"
    assert (target.value, target.unit, target.per, target.comparator) == (Decimal(2), "名", "每万常住人口", ">=")
    assert target.deadline is not None and (target.deadline.text, target.deadline.year) == ("2020年", 2020)


def test_distributive_counts():
    target = one("每个县(市、区)重点建好1所县级中医医院。")
    assert (target.indicator, target.comparator, target.value, target.unit, target.per) == (
        "县级中医医院", "=", Decimal(1), "所", "每个县(市、区)",
    )
    target = one("确保每个行政村都有1所标准化村卫生室。")
    assert (target.indicator, target.comparator, target.per) == ("标准化村卫生室", "=", "每个行政村")
    # the counted thing is trimmed of its predicate (the clause keeps it)
    target = one("各县(区)至少有1所乡镇卫生院开展医养结合服务。")
    assert (target.indicator, target.comparator, target.scope) == ("乡镇卫生院", ">=", "各县(区)")
    assert target.text == "各县(区)至少有1所乡镇卫生院开展医养结合服务"


def test_per_person_per_year_unit_and_baseline():
    target = one(view("城乡居民医保财政补助由每人每年450元提高到490元。"))
    assert (target.indicator, target.comparator, target.value, target.baseline, target.unit) == (
        "城乡居民医保财政补助", "=", Decimal(490), Decimal(450), "元/人/年",
    )
    target = one("各级财政对居民医保补助标准提高到每人每年不低于280元。")
    assert (target.indicator, target.comparator, target.value, target.unit) == (
        "居民医保补助标准", ">=", Decimal(280), "元/人/年",
    )


def test_standard_amounts():
    target = one(view("对边远地区的村卫生室，按每村每年1万元的标准给予运行补助。"))
    assert (target.indicator, target.value, target.unit, target.per, target.scope) == (
        "运行补助", Decimal(1), "万元/年", "每村", "边远地区的村卫生室",
    )
    target = one("市级财政按每人每年不低于5元的标准安排专项资金。")
    assert (target.indicator, target.comparator, target.unit) == ("专项资金", ">=", "元/人/年")


def test_changes_keep_their_verb():
    target = one("住院费用实际报销比例提高5个百分点。")
    assert (target.indicator, target.comparator, target.value, target.unit) == (
        "住院费用实际报销比例提高", "=", Decimal(5), "个百分点",
    )
    target = one("检查检验费用占比较上年下降2个百分点以上。")
    assert (target.indicator, target.comparator) == ("检查检验费用占比下降", ">=")


def test_shares_of_units_that_must_do_something():
    target = one("到2020年底,力争100%的县级医院达到二级甲等医院水平。")
    assert (target.indicator, target.comparator, target.value, target.unit) == (
        "县级医院达到二级甲等医院水平", ">=", Decimal(100), "%",
    )
    assert target.deadline is not None and target.deadline.text == "到2020年底"
    target = one("选择30%的统筹地区开展按床日付费改革。")
    assert (target.indicator, target.comparator) == ("统筹地区开展按床日付费改革", "=")


def test_chinese_numeral_values():
    target = one("家庭医生签约服务覆盖率达到百分之九十。")
    assert (target.comparator, target.value, target.unit) == (">=", Decimal(90), "%")
    target = one("建成五十个示范社区卫生服务中心。")
    assert (target.indicator, target.comparator, target.value, target.unit) == (
        "示范社区卫生服务中心", "=", Decimal(50), "个",
    )
    target = one("新农合政府补助标准提高到每人每年二百四十元。")
    assert (target.value, target.unit) == (Decimal(240), "元/人/年")
    target = one("全科医生培养规模达到1.5万人。")
    assert (target.value, target.unit) == (Decimal("1.5"), "万人")


# --- deadlines on targets --------------------------------------------------------------------

def test_target_deadlines():
    found = extract_targets("到2018年,县域内就诊率达到90%以上,到2020年基层就诊率达到65%。")
    assert [(t.indicator, t.deadline.text) for t in found] == [("县域内就诊率", "到2018年"), ("基层就诊率", "到2020年")]
    target = one("力争到2012年年底,全科医生在培规模达到3000人以上。")
    assert target.deadline == Deadline("到2012年年底", 2012, None, "by", 2, 10)
    assert target.text == "力争到2012年年底,全科医生在培规模达到3000人以上"
    target = one("2019年底实行按病种收费的病种不少于120个。")
    assert (target.indicator, target.deadline.text) == ("实行按病种收费的病种", "2019年底")


def test_table_row_deadline_in_a_later_cell():
    text = "3\t全省二级以上公立医院预约诊疗率达到60%以上。\t省卫健委\t2021年6月底前\n"
    target = one(text)
    assert target.deadline is not None
    assert (target.deadline.year, target.deadline.month, target.deadline.kind) == (2021, 6, "by")


# --- not targets -----------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    [
        "全面落实“十三五”规划,推进三级医院和二级以上医院改革。",
        "城市三甲医院要与县级医院建立紧密型医联体。",
        "以“1+1+1”组合签约模式为基础,实施“六统一”管理。",
        "继续深入推进“双下沉、两提升”工作。",
        "着力推进分级诊疗、现代医院管理、全民医保等五项制度建设。",
        "根据实际,确定以下四个重点监测指标。",
        "市、县政府由一位负责同志统一分管卫健、医保、药监三个部门。",
        "根据《国务院办公厅关于印发深化医药卫生体制改革2017年重点工作任务的通知》(国办发〔2017〕37号)要求。",
        "附件:11个试点县(市、区)2016年县域内就诊率及基层诊疗量占比排序",
        "每5年对乡村医生轮训一遍。",
        "二级以上医院每年至少开展2次健康教育讲座。",
        "对千人床位数已经达到4张的县(市)区,重点做好在建项目建设。",
        "对病床使用率低于85%的公立医院,不再进行扩建。",
        "床位数达到500张以上的医院要设立老年医学科。",
        "三明市公立医院药占比已降至25%以下。",
        "截至2016年底,全省城乡居民医保参保率达到97%。",
        "2016年,全省县域内就诊率为85%。",
        "在15个县级公立医院改革试点单位,逐步增加政府投入。",
        "全县65岁以上老年人免费接受健康体检。",
        "建立一个覆盖全省的全民健康信息平台。",
        "检查检验结果24小时内反馈患者。",
        "第三批试点城市名单另行公布。",
        "一、加快推进分级诊疗制度建设",
        "(三)大力推进医保精细化管理",
        "全省共有三级医院45家。",
        "在现有50%的基础上逐步提高报销比例。",
        "严格执行15项改善医疗服务举措。",
        "全面落实11项医改重大专项卫生人员培训项目。",
        "不动产登记在5个工作日内办结。",
    ],
)
def test_not_targets(text):
    assert extract_targets(text) == []


def test_examples_with_a_larger_total_set_a_count_of_categories():
    target = one("全面推开儿童白血病等20类重大疾病保障。")
    assert (target.indicator, target.comparator, target.value, target.unit) == ("重大疾病保障", "=", Decimal(20), "类")
    target = one("新增心血管介入等三大类医用耗材集中采购。")
    assert (target.comparator, target.value, target.unit) == ("=", Decimal(3), "大类")
    # the count of the names listed is not
    assert extract_targets("落实高血压、糖尿病、结核病等3种慢性病管理。") == []


def test_a_floor_stated_as_a_base_to_improve_on():
    target = one("重特大疾病医疗救助比例在不低于60%的基础上逐步提高。")
    assert (target.indicator, target.comparator, target.value) == ("重特大疾病医疗救助比例", ">=", Decimal(60))


def test_relative_values_keep_their_base_in_per():
    found = extract_targets("累计结余不超过6个月平均支出水平和当年筹资总额的25%。")
    assert [(t.indicator, t.comparator, t.value, t.unit, t.per) for t in found] == [
        ("累计结余", "<=", Decimal(6), "个月平均支出水平", None),
        ("累计结余", "<=", Decimal(25), "%", "当年筹资总额"),
    ]
    target = extract_targets("最高支付限额达到全国居民人均可支配收入的6倍以上。")[0]
    assert (target.per, target.unit, target.comparator) == ("全国居民人均可支配收入", "倍", ">=")


def test_quantity_of_what_is_provided():
    target = one("每年为每名乡村医生提供不少于2周的免费培训。")
    assert (target.indicator, target.comparator, target.value, target.unit, target.per) == (
        "免费培训", ">=", Decimal(2), "周", "每名乡村医生",
    )


def test_ratio_standard_with_its_base():
    target = one("按照服务人口1‰—1.5‰的比例配备乡村医生。")
    assert (target.indicator, target.comparator, target.value, target.value_max, target.unit, target.per) == (
        "乡村医生", "between", Decimal(1), Decimal("1.5"), "‰", "服务人口",
    )


def test_units_keep_magnitudes_and_per_words():
    target = one("全市每年培养全科医生100名以上。")
    assert (target.indicator, target.comparator, target.unit, target.scope) == ("全科医生", ">=", "名/年", "全市")
    target = one("县级医院床位补助按照每张床位每年2000元的标准安排。")
    assert (target.value, target.unit) == (Decimal(2000), "元/床/年")
    target = one("大病保险最高支付限额提高到五十万元。")
    assert (target.value, target.unit) == (Decimal(50), "万元")
    target = one("审批时限不超过5个工作日。")
    assert (target.indicator, target.comparator, target.unit) == ("审批时限", "<=", "个工作日")


def test_funding_amounts():
    target = one("省财政安排补助资金2亿元。")
    assert (target.indicator, target.comparator, target.value, target.unit) == ("补助资金", "=", Decimal(2), "亿元")


def test_unit_printed_with_a_slash():
    target = one("人均基本公共卫生服务经费补助标准提高到89元/人。")
    assert (target.value, target.unit) == (Decimal(89), "元/人")


def test_scope_named_alone_takes_the_indicator_before_it():
    found = extract_targets("全省各级医院门诊预约挂号率不低于50%,三级医院不低于70%。")
    assert [(t.scope, t.indicator, t.value) for t in found] == [
        ("全省各级医院", "门诊预约挂号率", Decimal(50)),
        ("三级医院", "门诊预约挂号率", Decimal(70)),
    ]


def test_scope_carries_over_within_a_sentence():
    found = extract_targets("到2020年,全市每千常住人口执业(助理)医师数达到2.5人以上,每千常住人口注册护士数达到3.14人。")
    assert [(t.scope, t.indicator, t.per, t.deadline.text) for t in found] == [
        ("全市", "执业(助理)医师数", "每千常住人口", "到2020年"),
        ("全市", "注册护士数", "每千常住人口", "到2020年"),
    ]


def test_locative_scope_and_counted_noun():
    target = one("在全省选择3个市开展按病组付费国家试点。")
    assert (target.scope, target.indicator, target.comparator, target.value) == ("全省", "市", "=", Decimal(3))
    target = one("各地要选择1至2个县开展试点。")
    assert (target.scope, target.indicator) == ("各地", "县")


def test_one_name_is_not_split_into_scope_and_indicator():
    target = one("公立医院改革试点城市扩大到200个。")
    assert (target.indicator, target.scope, target.comparator) == ("公立医院改革试点城市", None, "=")


def test_share_after_a_verb_phrase():
    target = one("紧密型县域医共体建设覆盖90%以上的县。")
    assert (target.indicator, target.comparator, target.value) == ("紧密型县域医共体建设覆盖县", ">=", Decimal(90))


def test_a_change_then_a_level_of_the_same_indicator():
    found = extract_targets("城乡居民医保人均财政补助标准新增30元,达到每人每年610元。")
    assert [(t.indicator, t.comparator, t.value, t.unit) for t in found] == [
        ("城乡居民医保人均财政补助标准新增", "=", Decimal(30), "元"),
        ("城乡居民医保人均财政补助标准", ">=", Decimal(610), "元/人/年"),
    ]


def test_year_opening_a_clause_times_what_follows():
    target = one("2010年各级政府对新农合补助标准提高到每人每年120元。")
    assert (target.indicator, target.deadline.text, target.deadline.kind) == ("新农合补助标准", "2010年", "by")


def test_per_population_range_is_kept_as_printed():
    target = one("在每个街道办事处范围或每3—10万居民规划设置1所社区卫生服务中心。")
    assert (target.indicator, target.comparator, target.value, target.unit, target.per) == (
        "社区卫生服务中心", "=", Decimal(1), "所", "每个街道办事处范围或每3—10万居民",
    )


def test_frequencies_are_not_targets():
    assert extract_targets("三级医院专家每周至少安排2个半天到基层出诊。") == []
    assert extract_targets("每3年对村医开展一轮全员培训。") == []


def test_ages_inside_an_indicator_are_not_values():
    target = one("全县65岁以上老年人健康管理率达到70%。")
    assert (target.indicator, target.value, target.scope) == ("65岁以上老年人健康管理率", Decimal(70), "全县")


def test_numbers_in_quotes_do_not_become_targets():
    found = extract_targets(
        "力争到2020年,实现“15分钟社区健康服务圈”,75%的乡镇实现“30分钟乡村健康服务圈”。"
    )
    assert [(t.indicator, t.value) for t in found] == [("乡镇实现“30分钟乡村健康服务圈”", Decimal(75))]


def test_positions_are_local_offsets():
    text = "一、医保\n1.巩固参保。全省基本医保参保率稳定在95%以上。"
    target = one(text)
    assert text[target.start:target.end] == target.text == "全省基本医保参保率稳定在95%以上"


# --- deadlines -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "printed", "year", "month", "kind"),
    [
        ("2018年底前完成全省医保信息系统联网。", "2018年底前", 2018, None, "by"),
        ("到2020年,分级诊疗制度基本建立。", "到2020年", 2020, None, "by"),
        ("2019年12月底前出台实施方案。", "2019年12月底前", 2019, 12, "by"),
        ("要在2017年11月底前完成医共体组建。", "2017年11月底前", 2017, 11, "by"),
        ("2023年6月30日前完成全部任务。", "2023年6月30日前", 2023, 6, "by"),
        ("二○二○年底前实现全覆盖。", "二○二○年底前", 2020, None, "by"),
        ("力争2021年上半年完成。", "2021年上半年", 2021, 6, "by"),
        ("2020—2022年,组织开展价格评估。", "2020—2022年", 2022, None, "during"),
        ("开展价格动态调整评估\t省医保局\t2020-2022年每年", "2020-2022年每年", 2022, None, "each"),
        ("完成绩效考核\t省卫健委\t每年2月底前", "每年2月底前", None, 2, "each"),
        ("从2020年起,组织对重点改革指标进行监测评估。", "从2020年起", 2020, None, "from"),
        ("从 2020 年起,开展监测。", "从 2020 年起", 2020, None, "from"),
        ("自2022年1月1日起,执行新的价格。", "自2022年1月1日起", 2022, 1, "from"),
        ("年底前完成清理工作。", "年底前", None, None, "by"),
        ("建立集体协商机制\t省医保局\t2020年\n", "2020年", 2020, None, "by"),
        ("2020年第三季度前完成招标。", "2020年第三季度", 2020, 9, "by"),
        ("2018年鼓励医疗机构开展带量采购。", "2018年", 2018, None, "by"),
        ("完成时限:于2019年3月完成。", "2019年3月", 2019, 3, "by"),
    ],
)
def test_deadline_forms(text, printed, year, month, kind):
    deadlines = extract_deadlines(text)
    assert len(deadlines) == 1, deadlines
    deadline = deadlines[0]
    assert (deadline.text, deadline.year, deadline.month, deadline.kind) == (printed, year, month, kind)
    assert text[deadline.start:deadline.end] == printed


@pytest.mark.parametrize(
    "text",
    [
        "浙江省深化医药卫生体制改革2017年重点工作任务",
        "全省深化医药卫生体制改革2012年度主要工作安排",
        "2017年是全面推进健康浙江建设的关键一年。",
        "湖北省人民政府办公厅\n2016年4月8日\n",
        "全面落实2019年11月18日全省医改工作电视电话会议精神。",
        "《健康江苏2030规划纲要(2016—2030年)》",
        "2018年以来,全市医改取得明显成效。",
        "截至2016年底,全省参保率达到97%。",
        "国办发〔2017〕37号",
        "2018年1月正式启动实施。",
    ],
)
def test_not_deadlines(text):
    assert extract_deadlines(text) == []


def test_measure_deadline_prefers_a_by_deadline():
    text = "从2020年起,建立监测评估制度,2020年底前完成首轮评估。"
    deadline = measure_deadline(text)
    assert deadline is not None and (deadline.text, deadline.kind) == ("2020年底前", "by")
    assert measure_deadline("自2021年起每年开展一次绩效考核。").kind == "each"
    assert measure_deadline("持续推进临床路径管理。") is None
