import { EditOutlined, PlusOutlined } from "@ant-design/icons";
import { Alert, AutoComplete, Button, Card, Descriptions, Form, Input, List, Select, Space, Table, Tabs, Tag, Typography } from "antd";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import { useQuery } from "urql";

import { CursorPager } from "../../components/CursorPager";
import { ErrorAlert } from "../../components/ErrorAlert";
import { IssueCards } from "../../components/IssueList";
import { Phone } from "../../components/Phone";
import { PageTitle, QueryState, StatusTag, useNow } from "../../components/common";
import { useAction } from "../../components/useAction";
import { CHANNEL_LABELS, ENTERPRISE_STATUS_LABELS } from "../../lib/labels";
import { currentAfter, firstPage, nextPage, previousPage } from "../../lib/pagination";
import { formatDate, formatDateTime, nextVisitStatus } from "../../lib/time";
import { ConfirmPolicyMutation, EnterpriseQuery, NotifyPolicyMutation, PoliciesQuery } from "../../operations";
import { useSession } from "../../session-context";
import { AUDIT_ROLES, AuditTrailCard } from "../../components/AuditTrailCard";

/** 企业详情: the enterprise, its contacts as the role may see them, visits, demands, policies. */
export default function EnterpriseDetail() {
  const { id = "" } = useParams();
  const { claims } = useSession();
  const navigate = useNavigate();
  const now = useNow(60_000);
  const [visitPages, setVisitPages] = useState(firstPage);
  const [issuePages, setIssuePages] = useState(firstPage);
  const [result, reexecute] = useQuery({
    query: EnterpriseQuery,
    variables: { id, visitsAfter: currentAfter(visitPages), issuesAfter: currentAfter(issuePages) },
  });
  const e = result.data?.enterprise;
  const isCommissioner = claims.role === "COMMISSIONER";
  const next = nextVisitStatus(e?.nextVisitDueOn, now);

  return (
    <QueryState
      fetching={result.fetching}
      error={result.error}
      empty={!e}
      emptyText="未找到该企业，或您无权查看"
      retry={() => reexecute({ requestPolicy: "network-only" })}
    >
      {e && (
        <>
          <PageTitle
            title={e.name}
            extra={
              isCommissioner && (
                <Button type="primary" icon={<EditOutlined />} onClick={() => navigate(`/enterprises/${id}/visit`)}>
                  记录走访
                </Button>
              )
            }
          />
          <Card size="small" style={{ marginBottom: 16 }}>
            <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 3 }}>
              <Descriptions.Item label="统一社会信用代码">{e.uscc}</Descriptions.Item>
              <Descriptions.Item label="所属区县">{e.district}</Descriptions.Item>
              <Descriptions.Item label="所属产业">{e.industry ?? "—"}</Descriptions.Item>
              <Descriptions.Item label="服务状态">{ENTERPRISE_STATUS_LABELS[e.status] ?? e.status}</Descriptions.Item>
              <Descriptions.Item label="服务专员">{e.commissioner?.name ?? "未分配"}</Descriptions.Item>
              <Descriptions.Item label="走访次数">{e.visitCount}</Descriptions.Item>
              <Descriptions.Item label="最近走访">{formatDateTime(e.lastVisitAt)}</Descriptions.Item>
              <Descriptions.Item label="下次走访">
                <Tag color={next.urgency === "overdue" ? "red" : next.urgency === "soon" ? "orange" : undefined}>{next.text}</Tag>
              </Descriptions.Item>
              <Descriptions.Item label="未办结诉求">{e.openIssueCount}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title="联系人" style={{ marginBottom: 16 }}>
            {e.contacts.length === 0 ? (
              <Typography.Text type="secondary">未登记联系人</Typography.Text>
            ) : (
              <List
                size="small"
                dataSource={e.contacts}
                renderItem={(c) => (
                  <List.Item>
                    <Space wrap>
                      <span>{c.name}</span>
                      {c.title && <Typography.Text type="secondary">{c.title}</Typography.Text>}
                      <Phone phone={c.phone} />
                    </Space>
                  </List.Item>
                )}
              />
            )}
          </Card>
          <Tabs
            items={[
              {
                key: "visits",
                label: `走访记录（${e.visits.totalCount}）`,
                children: (
                  <>
                    <List
                      dataSource={e.visits.edges.map((v) => v.node)}
                      locale={{ emptyText: "暂无走访记录" }}
                      renderItem={(v) => (
                        <List.Item key={v.id} style={{ padding: "6px 0" }}>
                          <Card
                            size="small"
                            style={{ width: "100%" }}
                            title={
                              <Space wrap>
                                <span>{formatDateTime(v.visitedAt)}</span>
                                <Tag>{CHANNEL_LABELS[v.channel]}</Tag>
                              </Space>
                            }
                            extra={
                              isCommissioner && (
                                <Link to={`/enterprises/${id}/visits/${v.id}/demand`}>
                                  <PlusOutlined /> 提出诉求
                                </Link>
                              )
                            }
                          >
                            <Typography.Paragraph style={{ marginBottom: 6 }}>{v.summary}</Typography.Paragraph>
                            <Typography.Text type="secondary" style={{ fontSize: 13 }}>
                              参加人员：{v.attendees.join("、") || "—"}；走访事项：{v.topics.join("、") || "—"}
                              {v.policiesExplained.length > 0 && `；宣讲政策：${v.policiesExplained.join("、")}`}
                              ；下次走访：{formatDate(v.nextVisitOn)}；记录人：{v.commissioner.name}
                            </Typography.Text>
                            {v.issues.length > 0 && (
                              <div style={{ marginTop: 6 }}>
                                {v.issues.map((i) => (
                                  <Space key={i.id} style={{ marginRight: 12 }}>
                                    <Link to={`/issues/${i.id}`}>{i.title}</Link>
                                    <StatusTag status={i.status} />
                                  </Space>
                                ))}
                              </div>
                            )}
                          </Card>
                        </List.Item>
                      )}
                    />
                    <CursorPager
                      pages={visitPages}
                      total={e.visits.totalCount}
                      size={10}
                      hasNext={e.visits.pageInfo.hasNextPage}
                      onPrevious={() => setVisitPages(previousPage)}
                      onNext={() => setVisitPages((p) => nextPage(p, e.visits.pageInfo.endCursor))}
                    />
                  </>
                ),
              },
              {
                key: "issues",
                label: `企业诉求（${e.issues.totalCount}）`,
                children: (
                  <>
                    {e.issues.totalCount === 0 ? (
                      <Typography.Text type="secondary">暂无诉求</Typography.Text>
                    ) : (
                      <IssueCards issues={e.issues.edges.map((x) => x.node)} />
                    )}
                    <CursorPager
                      pages={issuePages}
                      total={e.issues.totalCount}
                      size={10}
                      hasNext={e.issues.pageInfo.hasNextPage}
                      onPrevious={() => setIssuePages(previousPage)}
                      onNext={() => setIssuePages((p) => nextPage(p, e.issues.pageInfo.endCursor))}
                    />
                  </>
                ),
              },
              {
                key: "policies",
                label: `政策告知（${e.policyNotices.length}）`,
                children: (
                  <>
                    <PolicyNotices notices={e.policyNotices} />
                    {(isCommissioner || claims.role === "ADMIN") && (
                      <PolicyNotice
                        enterpriseId={id}
                        notices={e.policyNotices}
                        contacts={e.contacts.map((c) => c.name).filter((n) => !n.includes("*"))}
                        onDone={() => reexecute({ requestPolicy: "network-only" })}
                      />
                    )}
                  </>
                ),
              },
            ]}
          />
          {AUDIT_ROLES.includes(claims.role) && <AuditTrailCard streamId={e.id} />}
        </>
      )}
    </QueryState>
  );
}

type Notice = {
  policyCode: string;
  firstNotifiedAt: string;
  lastNotifiedAt: string;
  timesNotified: number;
  notifiedBy: string;
  note?: string | null;
  confirmedAt?: string | null;
  confirmedBy?: string | null;
};

/** 已告知的政策: each policy notified, how often, and whether the enterprise confirmed it. */
function PolicyNotices({ notices }: { notices: Notice[] }) {
  const [policies] = useQuery({ query: PoliciesQuery });
  const titles = new Map((policies.data?.policies ?? []).map((p) => [p.code, p.title]));
  return (
    <Table
      size="small"
      rowKey="policyCode"
      style={{ marginBottom: 16 }}
      pagination={false}
      scroll={{ x: true }}
      locale={{ emptyText: "尚未向该企业告知政策" }}
      dataSource={notices}
      columns={[
        { title: "政策", key: "policy", render: (_, n) => titles.get(n.policyCode) ?? n.policyCode },
        {
          title: "告知",
          key: "notified",
          render: (_, n) => (
            <>
              {formatDateTime(n.lastNotifiedAt)}
              {n.timesNotified > 1 && <Typography.Text type="secondary">（共{n.timesNotified}次，首次 {formatDate(n.firstNotifiedAt)}）</Typography.Text>}
              <div>
                <Typography.Text type="secondary">告知人：{n.notifiedBy}</Typography.Text>
              </div>
            </>
          ),
        },
        {
          title: "企业确认",
          key: "confirmed",
          render: (_, n) =>
            n.confirmedAt ? (
              <>
                <Tag color="green">已确认</Tag>
                {formatDateTime(n.confirmedAt)}
                <div>
                  <Typography.Text type="secondary">确认人：{n.confirmedBy}</Typography.Text>
                </div>
              </>
            ) : (
              <Tag color="orange">待确认</Tag>
            ),
        },
      ]}
    />
  );
}

function PolicyNotice({
  enterpriseId,
  notices,
  contacts,
  onDone,
}: {
  enterpriseId: string;
  notices: Notice[];
  contacts: string[];
  onDone: () => void;
}) {
  const [policies] = useQuery({ query: PoliciesQuery });
  const notify = useAction(NotifyPolicyMutation);
  const confirm = useAction(ConfirmPolicyMutation);
  const [form] = Form.useForm();
  const [confirmForm] = Form.useForm();
  const policyOptions = (policies.data?.policies ?? []).map((p) => ({ value: p.code, label: `${p.title}（${p.benefit}）` }));
  const unconfirmed = new Set(notices.filter((n) => !n.confirmedAt).map((n) => n.policyCode));
  const confirmOptions = policyOptions.filter((o) => unconfirmed.has(o.value));
  return (
    <Card size="small">
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title="向企业书面告知政策（告知），企业确认后计入政策服务。"
      />
      <ErrorAlert error={notify.error} onClose={notify.clearError} />
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          const done = await notify.run({ input: { enterpriseId, policyCode: v.policyCode, note: v.note || null } }, "已记录政策告知");
          if (done) {
            form.resetFields();
            onDone();
          }
        }}
      >
        <Form.Item name="policyCode" label="政策" rules={[{ required: true, message: "请选择政策" }]}>
          <Select showSearch={{ optionFilterProp: "label" }} loading={policies.fetching} options={policyOptions} />
        </Form.Item>
        <Form.Item name="note" label="告知说明">
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Button htmlType="submit" loading={notify.fetching}>
          记录告知
        </Button>
      </Form>
      <Typography.Title level={5} style={{ marginTop: 24 }}>
        企业确认
      </Typography.Title>
      <ErrorAlert error={confirm.error} onClose={confirm.clearError} />
      <Form
        form={confirmForm}
        layout="vertical"
        onFinish={async (v) => {
          const done = await confirm.run({ input: { enterpriseId, policyCode: v.policyCode, confirmedBy: v.confirmedBy.trim() } }, "已记录企业确认");
          if (done) {
            confirmForm.resetFields();
            onDone();
          }
        }}
      >
        <Form.Item name="policyCode" label="已告知、待确认的政策" rules={[{ required: true, message: "请选择政策" }]}>
          <Select showSearch={{ optionFilterProp: "label" }} loading={policies.fetching} options={confirmOptions} notFoundContent="没有待确认的政策" />
        </Form.Item>
        <Form.Item name="confirmedBy" label="企业确认人" rules={[{ required: true, whitespace: true, message: "请填写企业确认人" }]}>
          <AutoComplete options={contacts.map((c) => ({ value: c }))} placeholder="选择联系人或输入姓名" />
        </Form.Item>
        <Button htmlType="submit" loading={confirm.fetching}>
          记录确认
        </Button>
      </Form>
    </Card>
  );
}
