"""The demo's reference tables: districts, departments, direct-report points, the words
names are made of, and how often each kind of visit, demand and issue scenario comes up."""

from __future__ import annotations

# District → (administrative division code used in credit codes, id word for its bureau).
# The three functional areas have no division of their own: their enterprises' codes carry the
# district they sit in (两江新区 in 渝北, 高新区 in 九龙坡, 万盛 in 綦江).
DISTRICT_INFO: dict[str, tuple[str, str]] = {
    "万州区": ("500101", "wanzhou"), "黔江区": ("500114", "qianjiang"),
    "涪陵区": ("500102", "fuling"), "渝中区": ("500103", "yuzhong"),
    "大渡口区": ("500104", "dadukou"), "江北区": ("500105", "jiangbei"),
    "沙坪坝区": ("500106", "shapingba"), "九龙坡区": ("500107", "jiulongpo"),
    "南岸区": ("500108", "nanan"), "北碚区": ("500109", "beibei"),
    "綦江区": ("500110", "qijiang"), "大足区": ("500111", "dazu"),
    "渝北区": ("500112", "yubei"), "巴南区": ("500113", "banan"),
    "长寿区": ("500115", "changshou"), "江津区": ("500116", "jiangjin"),
    "合川区": ("500117", "hechuan"), "永川区": ("500118", "yongchuan"),
    "南川区": ("500119", "nanchuan"), "璧山区": ("500120", "bishan"),
    "铜梁区": ("500151", "tongliang"), "潼南区": ("500152", "tongnan"),
    "荣昌区": ("500153", "rongchang"), "开州区": ("500154", "kaizhou"),
    "梁平区": ("500155", "liangping"), "武隆区": ("500156", "wulong"),
    "城口县": ("500229", "chengkou"), "丰都县": ("500230", "fengdu"),
    "垫江县": ("500231", "dianjiang"), "忠县": ("500233", "zhongxian"),
    "云阳县": ("500235", "yunyang"), "奉节县": ("500236", "fengjie"),
    "巫山县": ("500237", "wushan"), "巫溪县": ("500238", "wuxi"),
    "石柱土家族自治县": ("500240", "shizhu"), "秀山土家族苗族自治县": ("500241", "xiushan"),
    "酉阳土家族苗族自治县": ("500242", "youyang"), "彭水苗族土家族自治县": ("500243", "pengshui"),
    "两江新区": ("500112", "liangjiang"), "西部科学城重庆高新区": ("500107", "gaoxin"),
    "万盛经开区": ("500110", "wansheng"),
}  # fmt: skip

# The central districts and functional areas hold more of the list than the outer counties.
BUSY_DISTRICTS = frozenset(
    {"渝中区", "江北区", "沙坪坝区", "九龙坡区", "南岸区", "渝北区", "巴南区", "北碚区",
     "两江新区", "西部科学城重庆高新区", "江津区", "永川区", "璧山区", "涪陵区", "万州区"}
)  # fmt: skip

# The bureau's offices a supervisor dispatches to; the first is the dev token's department.
MUNICIPAL_DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("hrss-employment", "市人力社保局就业促进和失业保险处"),
    ("hrss-talent", "市人力社保局人才开发处"),
    ("hrss-skills", "市人力社保局职业能力建设处"),
    ("hrss-labor-relations", "市人力社保局劳动关系处"),
    ("hrss-social-insurance", "市社会保险事务中心"),
    ("hrss-entrepreneurship", "市就业服务管理局创业服务科"),
    ("hrss-approval", "市人力社保局行政审批处"),
    ("hrss-policy", "市人力社保局政策法规处"),
    ("hrss-arbitration", "市劳动人事争议仲裁院"),
    ("hrss-inspection", "市劳动保障监察总队"),
    ("hrss-titles", "市人力社保局专业技术人员管理处"),
)

# 直报点: parks, associations, district offices, large employers (id, name, district).
REPORTING_POINTS: tuple[tuple[str, str, str], ...] = (
    ("rp-liangjiang", "两江新区营商环境直报点", "两江新区"),
    ("rp-gaoxin", "西部科学城重庆高新区直报点", "西部科学城重庆高新区"),
    ("rp-wansheng", "万盛经开区直报点", "万盛经开区"),
    ("rp-fcci", "重庆市工商业联合会", "渝中区"),
    ("rp-sme-assoc", "重庆市中小企业协会", "渝中区"),
    ("rp-private-assoc", "重庆市民营经济发展促进会", "江北区"),
    ("rp-hr-assoc", "重庆市人力资源服务行业协会", "渝北区"),
    ("rp-auto-assoc", "重庆市汽车工业协会", "两江新区"),
    ("rp-electronics-assoc", "重庆市电子信息产业协会", "西部科学城重庆高新区"),
    ("rp-software-park", "重庆软件园", "渝北区"),
    ("rp-xiyong-park", "西永微电子产业园", "沙坪坝区"),
    ("rp-jiulongpo-park", "九龙工业园区", "九龙坡区"),
    ("rp-banan-park", "巴南经济园区", "巴南区"),
    ("rp-beibei-park", "北碚蔡家组团产业园", "北碚区"),
    ("rp-changshou-park", "长寿经济技术开发区", "长寿区"),
    ("rp-fuling-park", "涪陵高新区", "涪陵区"),
    ("rp-yongchuan-park", "永川高新区", "永川区"),
    ("rp-bishan-park", "璧山高新区", "璧山区"),
    ("rp-jiangjin-park", "江津综合保税区", "江津区"),
    ("rp-hechuan-park", "合川工业园区", "合川区"),
    ("rp-wanzhou-park", "万州经济技术开发区", "万州区"),
    ("rp-rongchang-park", "荣昌高新区", "荣昌区"),
    ("rp-dazu-park", "大足高新区", "大足区"),
    ("rp-tongliang-park", "铜梁高新区", "铜梁区"),
    ("rp-nanan-office", "南岸区营商环境服务中心", "南岸区"),
    ("rp-yuzhong-office", "渝中区政务服务中心", "渝中区"),
    ("rp-kaizhou-office", "开州区营商环境办", "开州区"),
    ("rp-qianjiang-office", "黔江区营商环境办", "黔江区"),
    ("rp-changan", "重庆长安汽车股份有限公司", "江北区"),
    ("rp-boe", "重庆京东方光电科技有限公司", "两江新区"),
)

# Industry (as the bureau's lists write it, Chongqing's 33618 clusters) → words for names.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "新一代电子信息制造业": ("电子科技", "光电科技", "半导体", "智能终端"),
    "智能网联新能源汽车": ("汽车零部件", "新能源汽车", "动力电池", "汽车电子"),
    "智能装备及智能制造": ("智能装备", "精密机械", "数控设备", "机器人"),
    "先进材料": ("新材料", "铝业", "复合材料", "化工"),
    "生物医药": ("医药", "生物科技", "医疗器械", "制药"),
    "软件信息服务": ("软件", "信息技术", "数据科技", "网络科技"),
    "食品及农产品加工": ("食品", "火锅食品", "农业科技", "调味品"),
    "消费品": ("服饰", "家居", "日化", "文化用品"),
    "现代服务业": ("物流", "人力资源服务", "商贸", "会展服务"),
}
BRAND_FIRST = "渝巴山江华瑞博新城金宏嘉鼎恒德盛蜀龙昌佳"
BRAND_SECOND = "源通科恒联信达泰盛鑫创航森远润隆辉成益凯"
COMPANY_FORMS = ("有限公司", "有限公司", "有限公司", "股份有限公司", "集团有限公司")
SIZES = (("大型", 1), ("中型", 3), ("小型", 5), ("微型", 2))
ROADS = ("金开大道", "黄山大道", "科园一路", "渝州路", "星光大道", "学府大道", "工业园区大道",
         "滨江路", "龙溪路", "西永大道", "双龙大道", "同茂大道")  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林谭冉向秦蒋唐邓"
GIVEN = ("伟", "芳", "娜", "敏", "静", "磊", "洋", "艳", "勇", "军", "杰", "涛", "明", "超",
         "秀英", "小红", "建华", "志强", "海燕", "晓东", "丽娟", "文博", "思远", "雨婷")  # fmt: skip
TITLES = ("人事经理", "行政主管", "总经理", "办公室主任", "人力资源总监", "财务经理")
MOBILE_PREFIXES = ("133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "189")

TOPICS = ("用工需求", "社保缴费", "稳岗返还", "技能培训", "人才引进", "劳动关系", "创业扶持",
          "职称评审", "高校毕业生招聘", "薪酬调查", "工伤保险", "政策申报")  # fmt: skip
EVENT_TITLES = ("稳岗政策宣讲会", "春风行动专场招聘会", "企业用工座谈会", "就业创业政策直通车",
                "高校毕业生就业对接会", "技能人才培养交流会", "人社政策进园区")  # fmt: skip
CHANNEL_WEIGHTS = {"ON_SITE": 55, "PHONE": 30, "VIDEO": 15}

DEMAND_CATEGORIES = {
    "RECRUITMENT": 22, "POLICY_CONSULTATION": 18, "SOCIAL_INSURANCE": 12, "SKILLS_TRAINING": 10,
    "TALENT_AND_TITLES": 8, "URGENT_HIRING": 6, "LABOR_RELATIONS": 6,
    "APPROVAL_COORDINATION": 6, "ENTREPRENEURSHIP": 5, "BUSINESS_ENVIRONMENT": 4, "OTHER": 3,
}  # fmt: skip
REPORT_CATEGORIES = {
    "BUSINESS_ENVIRONMENT": 40, "APPROVAL_COORDINATION": 15, "SOCIAL_INSURANCE": 15,
    "LABOR_RELATIONS": 10, "RECRUITMENT": 10, "OTHER": 10,
}  # fmt: skip
# Category → the municipal office that leads it; None: the enterprise's district bureau.
LEADS: dict[str, str | None] = {
    "RECRUITMENT": None, "URGENT_HIRING": None, "POLICY_CONSULTATION": None,
    "SOCIAL_INSURANCE": "hrss-social-insurance", "SKILLS_TRAINING": "hrss-skills",
    "TALENT_AND_TITLES": "hrss-titles", "LABOR_RELATIONS": "hrss-labor-relations",
    "APPROVAL_COORDINATION": "hrss-approval", "ENTREPRENEURSHIP": "hrss-entrepreneurship",
    "BUSINESS_ENVIRONMENT": "hrss-policy", "OTHER": "hrss-policy",
}  # fmt: skip
JOBS = ("数控技工", "焊工", "普工", "电工", "质检员", "软件工程师", "叉车司机", "装配工", "营业员")

# What an issue goes through (see the lifecycle in DOMAIN.md) and how often.
SCENARIOS: dict[str, int] = {
    "smooth": 48,  # dispatch, accept, progress, resolve, approve, satisfied
    "refused": 8,  # 退单, then dispatched to another department
    "suspended": 6,  # suspended waiting on the enterprise, then resumed
    "rework": 6,  # the supervisor returns the resolution for rework
    "unsatisfied": 5,  # the callback is unsatisfied: another round
    "unrated": 8,  # nobody evaluates: closed UNRATED after 7 days
    "declined": 4,  # declined (不予受理)
    "declined_reopened": 2,  # declined, then reopened and worked
    "reopened": 3,  # closed, then reopened by a supervisor
    "late": 7,  # accepted and resolved late, escalated on the way (overdue)
    "stalled": 3,  # escalated up to 通报 and still open at the year's end (overdue)
}
