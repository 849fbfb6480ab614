"""What demands, direct reports and resolutions say, by category."""

from __future__ import annotations

import random

from demo.reference import JOBS


def demand_text(rng: random.Random, category: str) -> tuple[str, str]:
    """A title and description for a demand or report of this category (企业诉求 / 直报)."""
    job, n = rng.choice(JOBS), rng.randrange(5, 80)
    texts = {
        "RECRUITMENT": (
            f"招聘{n}名{job}",
            f"企业订单增长，需招聘{n}名{job}，希望协助对接人力资源市场。",
        ),
        "URGENT_HIRING": (f"紧急招用{n}名{job}", f"新接订单须两周内交付，急需{n}名{job}到岗。"),
        "POLICY_CONSULTATION": (
            "咨询稳岗返还申领",
            "企业希望了解失业保险稳岗返还的申领条件和办理流程。",
        ),
        "SOCIAL_INSURANCE": (
            "社保缴费基数核定",
            "新入职员工社保缴费基数核定有疑问，申请协助核实。",
        ),
        "SKILLS_TRAINING": (f"开展{job}技能培训", f"希望为{n}名员工开展{job}补贴性职业技能培训。"),
        "TALENT_AND_TITLES": (
            "工程师职称评审咨询",
            "企业技术骨干申报中级工程师职称，咨询评审材料要求。",
        ),
        "LABOR_RELATIONS": ("劳动合同纠纷调解", "与离职员工就经济补偿存在分歧，申请调解指导。"),
        "APPROVAL_COORDINATION": (
            "劳务派遣许可办理",
            "劳务派遣经营许可延续申请材料多次退回，请求协调。",
        ),
        "ENTREPRENEURSHIP": (
            "创业担保贷款申请",
            "企业拟申请创业担保贷款扩大生产，咨询额度和贴息。",
        ),
        "BUSINESS_ENVIRONMENT": (
            "政务服务办理时限长",
            "人社业务窗口办理时限较长，建议推行一窗通办。",
        ),
        "OTHER": ("其他人社事项咨询", "企业就人社相关事项提出咨询和建议。"),
    }
    return texts[category]


RESOLUTIONS = {
    "RECRUITMENT": "已组织专场招聘，推荐求职者，企业已录用部分人员。",
    "URGENT_HIRING": "已启动紧急用工保障，协调劳务合作基地输送人员到岗。",
    "POLICY_CONSULTATION": "已上门解读政策，指导企业完成申报。",
    "SOCIAL_INSURANCE": "已核实缴费基数并完成调整。",
    "SKILLS_TRAINING": "已纳入补贴性职业技能培训计划，培训班已开班。",
    "TALENT_AND_TITLES": "已提供评审材料清单并指导填报。",
    "LABOR_RELATIONS": "已组织劳动争议调解，双方达成协议。",
    "APPROVAL_COORDINATION": "已协调审批部门一次性告知材料，许可已办结。",
    "ENTREPRENEURSHIP": "已对接合作银行，贷款已发放。",
    "BUSINESS_ENVIRONMENT": "已优化窗口流程，推行一窗通办，并书面答复。",
    "OTHER": "已电话答复企业并做好记录。",
}
