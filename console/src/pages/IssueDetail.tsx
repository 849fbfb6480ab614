import { Alert, Button, Card, Descriptions, Form, Input, Radio, Select, Space, Tag, Timeline, Typography } from "antd";
import { useState } from "react";
import { Link, useParams } from "react-router-dom";
import { useQuery } from "urql";

import { ActionModal } from "../components/ActionModal";
import { AUDIT_ROLES, AuditTrailCard } from "../components/AuditTrailCard";
import { Deadline, PageTitle, QueryState, StatusTag } from "../components/common";
import { ErrorAlert } from "../components/ErrorAlert";
import { useAction } from "../components/useAction";
import type { IssueQuery as Result, Role } from "../gql/graphql";
import { isResolver, RESOLVER_CANNOT_AUDIT } from "../lib/duties";
import { splitList } from "../lib/idempotency";
import {
  CATEGORY_LABELS,
  CHANNEL_LABELS,
  ESCALATION_LABELS,
  KIND_LABELS,
  ROLE_LABELS,
  SATISFACTION_LABELS,
  noteLabel,
  optionsOf,
  stepLabel,
} from "../lib/labels";
import { formatDateTime } from "../lib/time";
import {
  AcceptMutation,
  ApproveMutation,
  DeclineMutation,
  DepartmentsQuery,
  DispatchMutation,
  EscalateMutation,
  EvaluateMutation,
  IssueQuery,
  ProgressMutation,
  RefuseMutation,
  ReopenMutation,
  ResolveMutation,
  ResumeMutation,
  ReworkMutation,
  SuspendMutation,
} from "../operations";
import { useSession } from "../session-context";

type Issue = NonNullable<Result["issue"]>;

const required = (message: string) => [{ required: true, whitespace: true, message }];

/** 诉求详情: what was asked, every step so far, and what this person may do next. */
export default function IssueDetail() {
  const { id = "" } = useParams();
  const [result, reexecute] = useQuery({ query: IssueQuery, variables: { id } });
  const issue = result.data?.issue;
  const refresh = () => reexecute({ requestPolicy: "network-only" });
  const { claims } = useSession();

  return (
    <QueryState fetching={result.fetching} error={result.error} empty={!issue} emptyText="未找到该诉求，或您无权查看" retry={refresh}>
      {issue && (
        <>
          <PageTitle title={issue.title} extra={<StatusTag status={issue.status} />} />
          <Actions issue={issue} onDone={refresh} />
          <Card size="small" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
              <Descriptions.Item label="状态">
                <StatusTag status={issue.status} />
              </Descriptions.Item>
              <Descriptions.Item label="类型">{KIND_LABELS[issue.kind]}</Descriptions.Item>
              <Descriptions.Item label="类别">
                <Tag color={issue.category === "URGENT_HIRING" ? "red" : undefined}>{CATEGORY_LABELS[issue.category]}</Tag>
              </Descriptions.Item>
              {issue.enterprise && (
                <Descriptions.Item label="企业">
                  <Link to={`/enterprises/${issue.enterprise.id}`}>{issue.enterprise.name}</Link>（{issue.enterprise.district}）
                </Descriptions.Item>
              )}
              {issue.reportingPoint && <Descriptions.Item label="直报点">{issue.reportingPoint.name}</Descriptions.Item>}
              {issue.visit && (
                <Descriptions.Item label="来源走访">
                  {formatDateTime(issue.visit.visitedAt)} {CHANNEL_LABELS[issue.visit.channel]}
                </Descriptions.Item>
              )}
              <Descriptions.Item label="提出时间">{formatDateTime(issue.raisedAt)}</Descriptions.Item>
              <Descriptions.Item label="派单时间">{formatDateTime(issue.dispatchedAt)}</Descriptions.Item>
              <Descriptions.Item label="承办部门">
                {issue.leadDepartment?.name ?? "—"}
                {issue.assistingDepartments.length > 0 && `（协办：${issue.assistingDepartments.map((d) => d.name).join("、")}）`}
              </Descriptions.Item>
              <Descriptions.Item label="签收时限">
                <Deadline at={issue.acceptDueAt} done={issue.status !== "DISPATCHED"} />
              </Descriptions.Item>
              <Descriptions.Item label="办结时限">
                <Deadline at={issue.resolveDueAt} done={!["DISPATCHED", "IN_PROGRESS"].includes(issue.status)} />
              </Descriptions.Item>
              <Descriptions.Item label="签收时间">{formatDateTime(issue.acceptedAt)}</Descriptions.Item>
              <Descriptions.Item label="办结时间">{formatDateTime(issue.resolvedAt)}</Descriptions.Item>
              <Descriptions.Item label="关闭时间">{formatDateTime(issue.closedAt)}</Descriptions.Item>
              {issue.satisfaction && <Descriptions.Item label="评价">{SATISFACTION_LABELS[issue.satisfaction]}</Descriptions.Item>}
              <Descriptions.Item label="退单次数">{issue.dispatchRefusalCount}</Descriptions.Item>
              <Descriptions.Item label="重办次数">{issue.reworkCount}</Descriptions.Item>
              {issue.overdue && (
                <Descriptions.Item label="时限">
                  <Tag color="red">已超期</Tag>
                </Descriptions.Item>
              )}
            </Descriptions>
            <Typography.Paragraph style={{ marginTop: 12, whiteSpace: "pre-wrap" }}>
              <Typography.Text strong>诉求内容：</Typography.Text>
              {issue.description}
            </Typography.Paragraph>
            {issue.resolution && (
              <Typography.Paragraph style={{ whiteSpace: "pre-wrap" }}>
                <Typography.Text strong>办理结果：</Typography.Text>
                {issue.resolution}
                {issue.evidence.length > 0 && `（佐证材料：${issue.evidence.join("、")}）`}
              </Typography.Paragraph>
            )}
          </Card>
          <Card size="small" title="办理过程">
            <Timeline
              items={issue.timeline.map((t) => ({
                key: t.position,
                color: t.type === "DispatchRefused" || t.type === "ReturnedForRework" || t.type === "Escalated" ? "red" : t.type === "Evaluated" || t.type === "ClosureApproved" ? "green" : "blue",
                content: (
                  <Space orientation="vertical" size={0}>
                    <Space wrap size={8}>
                      <Typography.Text strong>{stepLabel(t.type)}</Typography.Text>
                      <Typography.Text type="secondary">{formatDateTime(t.at)}</Typography.Text>
                    </Space>
                    <Typography.Text type="secondary">
                      {t.actor.name}（{ROLE_LABELS[t.actor.role as Role] ?? t.actor.role}）
                    </Typography.Text>
                    {t.note && <Typography.Text>{noteLabel(t.note)}</Typography.Text>}
                  </Space>
                ),
              }))}
            />
          </Card>
          {AUDIT_ROLES.includes(claims.role) && <AuditTrailCard streamId={issue.id} />}
        </>
      )}
    </QueryState>
  );
}

type Dialog =
  | "dispatch"
  | "decline"
  | "refuse"
  | "progress"
  | "suspend"
  | "resolve"
  | "approve"
  | "rework"
  | "evaluate"
  | "reopen"
  | "escalate"
  | null;

/** The buttons this person has for the issue in its current state. */
function Actions({ issue, onDone }: { issue: Issue; onDone: () => void }) {
  const { claims } = useSession();
  const [open, setOpen] = useState<Dialog>(null);
  const [departments] = useQuery({ query: DepartmentsQuery, pause: open !== "dispatch" });
  const actions = {
    dispatch: useAction(DispatchMutation),
    decline: useAction(DeclineMutation),
    accept: useAction(AcceptMutation),
    refuse: useAction(RefuseMutation),
    progress: useAction(ProgressMutation),
    suspend: useAction(SuspendMutation),
    resume: useAction(ResumeMutation),
    resolve: useAction(ResolveMutation),
    approve: useAction(ApproveMutation),
    rework: useAction(ReworkMutation),
    evaluate: useAction(EvaluateMutation),
    reopen: useAction(ReopenMutation),
    escalate: useAction(EscalateMutation),
  };
  const issueId = issue.id;
  const s = issue.status;
  const supervisor = claims.role === "SUPERVISOR" || claims.role === "ADMIN";
  const department = claims.role === "DEPARTMENT";
  const resolver = isResolver(issue.timeline, claims.sub);
  const open_ = ["RAISED", "DISPATCHED", "IN_PROGRESS", "SUSPENDED", "RESOLVED", "AWAITING_EVALUATION"].includes(s);

  async function finish(ok: unknown) {
    if (ok) {
      setOpen(null);
      onDone();
    }
  }
  const close = () => setOpen(null);

  const buttons: React.ReactNode[] = [];
  if (supervisor && s === "RAISED") {
    buttons.push(<Button type="primary" key="dispatch" onClick={() => setOpen("dispatch")}>派单</Button>);
    buttons.push(<Button key="decline" onClick={() => setOpen("decline")}>不予受理</Button>);
  }
  if (department && s === "DISPATCHED") {
    buttons.push(
      <Button
        type="primary"
        key="accept"
        loading={actions.accept.fetching}
        onClick={async () => finish(await actions.accept.run({ issueId }, "已签收，请在时限内办结"))}
      >
        签收
      </Button>,
    );
    buttons.push(<Button danger key="refuse" onClick={() => setOpen("refuse")}>退单</Button>);
  }
  if (department && s === "IN_PROGRESS") {
    buttons.push(<Button type="primary" key="resolve" onClick={() => setOpen("resolve")}>办结</Button>);
    buttons.push(<Button key="progress" onClick={() => setOpen("progress")}>办理进展</Button>);
    buttons.push(<Button key="suspend" onClick={() => setOpen("suspend")}>暂停办理</Button>);
  }
  if (department && s === "SUSPENDED") {
    buttons.push(
      <Button type="primary" key="resume" loading={actions.resume.fetching} onClick={async () => finish(await actions.resume.run({ issueId }, "已恢复办理"))}>
        恢复办理
      </Button>,
    );
  }
  if (supervisor && s === "RESOLVED") {
    buttons.push(<Button type="primary" key="approve" disabled={resolver} onClick={() => setOpen("approve")}>审核通过</Button>);
    buttons.push(<Button key="rework" disabled={resolver} onClick={() => setOpen("rework")}>退回重办</Button>);
  }
  if (supervisor && s === "AWAITING_EVALUATION") {
    buttons.push(<Button type="primary" key="evaluate" disabled={resolver} onClick={() => setOpen("evaluate")}>回访评价</Button>);
  }
  if (supervisor && (s === "CLOSED" || s === "DECLINED")) {
    buttons.push(<Button key="reopen" onClick={() => setOpen("reopen")}>重新办理</Button>);
  }
  if (supervisor && open_) {
    buttons.push(<Button key="escalate" onClick={() => setOpen("escalate")}>催办 / 督办 / 通报</Button>);
  }
  if (buttons.length === 0) return null;

  return (
    <Card size="small" title="办理" style={{ marginBottom: 16 }}>
      {resolver && (s === "RESOLVED" || s === "AWAITING_EVALUATION") && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title="不能审核本人办结的诉求" description={RESOLVER_CANNOT_AUDIT} />
      )}
      <ErrorAlert error={actions.accept.error ?? actions.resume.error} />
      <Space wrap>{buttons}</Space>

      <ActionModal<{ leadDepartmentId: string; assistingDepartmentIds?: string[] }>
        title="派单" okText="确认派单" open={open === "dispatch"} busy={actions.dispatch.fetching} error={actions.dispatch.error} onCancel={close}
        onSubmit={async (v) => finish(await actions.dispatch.run({ input: { issueId, leadDepartmentId: v.leadDepartmentId, assistingDepartmentIds: v.assistingDepartmentIds ?? [] } }, "已派单"))}
      >
        {issue.category === "URGENT_HIRING" && <Alert type="warning" showIcon style={{ marginBottom: 12 }} title="紧急用工：承办部门须在4小时内签收" />}
        <Form.Item name="leadDepartmentId" label="主办部门" rules={[{ required: true, message: "请选择主办部门" }]}>
          <Select showSearch={{ optionFilterProp: "label" }} loading={departments.fetching} options={(departments.data?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))} placeholder="选择主办部门" />
        </Form.Item>
        <Form.Item name="assistingDepartmentIds" label="协办部门（可选）">
          <Select mode="multiple" showSearch={{ optionFilterProp: "label" }} options={(departments.data?.departments ?? []).map((d) => ({ value: d.id, label: d.name }))} />
        </Form.Item>
      </ActionModal>

      <ReasonModal title="不予受理" field="reason" label="不予受理理由" okText="确认" open={open === "decline"} action={actions.decline} onCancel={close}
        onSubmit={async (reason) => finish(await actions.decline.run({ input: { issueId, reason } }, "已不予受理"))} />
      <ReasonModal title="退单" field="reason" label="退单理由（必填，将计入部门退单次数）" okText="确认退单" open={open === "refuse"} action={actions.refuse} onCancel={close}
        onSubmit={async (reason) => finish(await actions.refuse.run({ input: { issueId, reason } }, "已退单"))} />
      <ReasonModal title="办理进展" field="note" label="进展情况" okText="保存" open={open === "progress"} action={actions.progress} onCancel={close}
        onSubmit={async (note) => finish(await actions.progress.run({ input: { issueId, note } }, "已记录办理进展"))} />
      <ReasonModal title="暂停办理" field="reason" label="暂停理由（暂停期间不计时限）" okText="确认暂停" open={open === "suspend"} action={actions.suspend} onCancel={close}
        onSubmit={async (reason) => finish(await actions.suspend.run({ input: { issueId, reason } }, "已暂停办理"))} />
      <ReasonModal title="审核通过" field="note" label="审核意见" okText="审核通过" open={open === "approve"} action={actions.approve} onCancel={close} initial="办理结果属实，同意办结。"
        onSubmit={async (note) => finish(await actions.approve.run({ input: { issueId, note } }, "审核通过，待回访评价"))} />
      <ReasonModal title="退回重办" field="reason" label="退回理由（必填）" okText="确认退回" open={open === "rework"} action={actions.rework} onCancel={close}
        onSubmit={async (reason) => finish(await actions.rework.run({ input: { issueId, reason } }, "已退回重办"))} />
      <ReasonModal title="重新办理" field="reason" label="重新办理理由（必填）" okText="确认" open={open === "reopen"} action={actions.reopen} onCancel={close}
        onSubmit={async (reason) => finish(await actions.reopen.run({ input: { issueId, reason } }, "已重新办理"))} />

      <ActionModal<{ resolution: string; evidence?: string }>
        title="办结" okText="确认办结" open={open === "resolve"} busy={actions.resolve.fetching} error={actions.resolve.error} onCancel={close}
        onSubmit={async (v) => finish(await actions.resolve.run({ input: { issueId, resolution: v.resolution, evidence: splitList(v.evidence) } }, "已办结，等待督导员审核"))}
      >
        <Form.Item name="resolution" label="办理结果" rules={required("请填写办理结果")}>
          <Input.TextArea rows={4} maxLength={2000} />
        </Form.Item>
        <Form.Item name="evidence" label="佐证材料（每行一项，如文件名、文号）">
          <Input.TextArea rows={3} />
        </Form.Item>
      </ActionModal>

      <ActionModal<{ satisfaction: "SATISFIED" | "BASICALLY_SATISFIED" | "UNSATISFIED"; comment?: string }>
        title="回访评价" okText="保存评价" open={open === "evaluate"} busy={actions.evaluate.fetching} error={actions.evaluate.error} onCancel={close}
        onSubmit={async (v) => finish(await actions.evaluate.run({ input: { issueId, satisfaction: v.satisfaction, comment: v.comment || null } }, v.satisfaction === "UNSATISFIED" ? "评价不满意，已退回重办" : "评价已记录，诉求已关闭"))}
      >
        <Form.Item name="satisfaction" label="企业评价" rules={[{ required: true, message: "请选择评价" }]}>
          <Radio.Group options={[{ value: "SATISFIED", label: "满意" }, { value: "BASICALLY_SATISFIED", label: "基本满意" }, { value: "UNSATISFIED", label: "不满意（退回重办）" }]} />
        </Form.Item>
        <Form.Item name="comment" label="回访记录">
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </ActionModal>

      <ActionModal<{ level: "URGE" | "SUPERVISE" | "NOTIFY"; note: string }>
        title="催办 / 督办 / 通报" okText="确认" open={open === "escalate"} busy={actions.escalate.fetching} error={actions.escalate.error} onCancel={close} initialValues={{ level: "URGE" }}
        onSubmit={async (v) => finish(await actions.escalate.run({ input: { issueId, level: v.level, note: v.note } }, `已${ESCALATION_LABELS[v.level]}`))}
      >
        <Form.Item name="level" label="方式">
          <Radio.Group optionType="button" options={optionsOf(ESCALATION_LABELS)} />
        </Form.Item>
        <Form.Item name="note" label="说明" rules={required("请填写说明")}>
          <Input.TextArea rows={3} maxLength={2000} />
        </Form.Item>
      </ActionModal>
    </Card>
  );
}

function ReasonModal({
  title,
  field,
  label,
  okText,
  open,
  action,
  onCancel,
  onSubmit,
  initial,
}: {
  title: string;
  field: string;
  label: string;
  okText: string;
  open: boolean;
  action: { fetching: boolean; error: ReturnType<typeof useAction>["error"] };
  onCancel: () => void;
  onSubmit: (text: string) => void;
  initial?: string;
}) {
  return (
    <ActionModal<Record<string, string>>
      title={title}
      okText={okText}
      open={open}
      busy={action.fetching}
      error={action.error}
      onCancel={onCancel}
      onSubmit={(v) => onSubmit(v[field])}
      initialValues={initial ? { [field]: initial } : undefined}
    >
      <Form.Item name={field} label={label} rules={required(`请填写${label.replace(/（.*）/, "")}`)}>
        <Input.TextArea rows={3} maxLength={2000} />
      </Form.Item>
    </ActionModal>
  );
}
