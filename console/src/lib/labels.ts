// The Chinese words people read (shared/GLOSSARY.md), one place for the whole console.
// Typed by the generated schema types: a new enum value in schema.graphql fails `tsc` here
// until it has its word.
import type {
  EscalationLevel,
  IssueCategory,
  IssueKind,
  IssueStatus,
  Role,
  Satisfaction,
  VisitChannel,
} from "../gql/graphql";

export const ROLE_LABELS: Record<Role, string> = {
  ADMIN: "管理员",
  COMMISSIONER: "服务专员",
  DEPARTMENT: "承办部门",
  SUPERVISOR: "督导员",
  REPORTER: "直报点",
};

export const KIND_LABELS: Record<IssueKind, string> = {
  ENTERPRISE_DEMAND: "企业诉求",
  DIRECT_REPORT: "直报问题",
};

export const STATUS_LABELS: Record<IssueStatus, string> = {
  RAISED: "已提出（待派单）",
  DISPATCHED: "已派单（待签收）",
  IN_PROGRESS: "办理中",
  SUSPENDED: "已暂停",
  RESOLVED: "已办结（待审核）",
  AWAITING_EVALUATION: "待评价",
  CLOSED: "已关闭",
  DECLINED: "不予受理",
};

/** antd Tag colours: open work warm, waiting on a supervisor blue, finished grey/green. */
export const STATUS_COLORS: Record<IssueStatus, string> = {
  RAISED: "orange",
  DISPATCHED: "gold",
  IN_PROGRESS: "processing",
  SUSPENDED: "default",
  RESOLVED: "blue",
  AWAITING_EVALUATION: "purple",
  CLOSED: "success",
  DECLINED: "default",
};

export const CATEGORY_LABELS: Record<IssueCategory, string> = {
  POLICY_CONSULTATION: "政策咨询",
  APPROVAL_COORDINATION: "审批协调",
  RECRUITMENT: "招工用工",
  URGENT_HIRING: "紧急用工",
  SOCIAL_INSURANCE: "社会保险",
  LABOR_RELATIONS: "劳动关系",
  TALENT_AND_TITLES: "人才与职称",
  SKILLS_TRAINING: "技能培训",
  ENTREPRENEURSHIP: "创业扶持",
  BUSINESS_ENVIRONMENT: "营商环境",
  OTHER: "其他",
};

export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  SATISFIED: "满意",
  BASICALLY_SATISFIED: "基本满意",
  UNSATISFIED: "不满意",
  UNRATED: "未评价",
};

export const CHANNEL_LABELS: Record<VisitChannel, string> = {
  ON_SITE: "上门走访",
  PHONE: "电话联系",
  VIDEO: "视频连线",
  EVENT: "活动对接",
};

export const ESCALATION_LABELS: Record<EscalationLevel, string> = {
  URGE: "催办",
  SUPERVISE: "督办",
  NOTIFY: "通报",
};

/** The steps of an issue's timeline (event types), as GLOSSARY.md names them. */
export const STEP_LABELS: Record<string, string> = {
  Raised: "提出诉求",
  Dispatched: "派单",
  Accepted: "签收",
  DispatchRefused: "退单",
  Declined: "不予受理",
  ProgressRecorded: "办理进展",
  Suspended: "暂停办理",
  Resumed: "恢复办理",
  Resolved: "办结",
  ClosureApproved: "审核通过",
  ReturnedForRework: "退回重办",
  Evaluated: "评价",
  ClosedUnrated: "超期未评价关闭",
  Reopened: "重新办理",
  Escalated: "督办升级",
  DeadlineWarned: "预警",
  ExtensionRequested: "延期申请",
  ExtensionApproved: "批准延期",
  ExtensionRefused: "不予延期",
};

/** A timeline step: its word, or the machine name when this console does not know it yet. */
export function stepLabel(type: string): string {
  return STEP_LABELS[type] ?? type;
}

/** The words in a timeline note that are machine values (URGE, SATISFIED…) in Chinese. */
export function noteLabel(note: string | null | undefined): string {
  if (!note) return "";
  const words: Record<string, string> = {
    ...ESCALATION_LABELS,
    ...SATISFACTION_LABELS,
    ...STATUS_LABELS,
  };
  return note
    .split(" · ")
    .map((part) => words[part] ?? part)
    .join(" · ");
}

/** Options for an antd Select from a label map, in the map's order. */
export function optionsOf<K extends string>(labels: Record<K, string>) {
  return (Object.keys(labels) as K[]).map((value) => ({ value, label: labels[value] }));
}

/** The KPI targets of the 2025 plan (DOMAIN.md). */
export const KPI_TARGETS = {
  closureRate: { label: "办结率", target: 0.98 },
  urgentHiringResponseRate: { label: "紧急用工响应率", target: 1.0 },
  satisfactionRate: { label: "满意率", target: 0.92 },
} as const;

/** An enterprise relationship's status (a plain string in the schema). */
export const ENTERPRISE_STATUS_LABELS: Record<string, string> = {
  ACTIVE: "服务中",
  SUSPENDED: "暂停服务",
  CLOSED: "终止服务",
};

/** The league table's scored KPIs (the API's `kpi` keys) in the glossary's words. */
export const LEAGUE_KPI_LABELS: Record<string, string> = {
  closure_rate: "办结率",
  on_time_accept_rate: "按时签收率",
  urgent_hiring_response_rate: "紧急用工响应率",
  on_time_resolve_rate: "按时办结率",
  satisfaction_rate: "满意率",
  visit_coverage: "走访覆盖率",
};

export function leagueKpiLabel(kpi: string, given: string): string {
  return LEAGUE_KPI_LABELS[kpi] ?? given;
}
