import { Button, Card, DatePicker, Form, Input, Radio, Result, Select, Space } from "antd";
import dayjs, { type Dayjs } from "dayjs";
import { useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import { useQuery } from "urql";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageTitle, QueryState } from "../../components/common";
import { useAction } from "../../components/useAction";
import type { VisitChannel } from "../../gql/graphql";
import { newIdempotencyKey } from "../../lib/idempotency";
import { CHANNEL_LABELS, optionsOf } from "../../lib/labels";
import { beijingParts, formatDateTime } from "../../lib/time";
import { COMMON_TOPICS, defaultAttendees, visitedAtIso, visitedAtToSend } from "../../lib/visit";
import { EnterpriseQuery, LogVisitMutation, PoliciesQuery } from "../../operations";
import { useSession } from "../../session-context";

interface Values {
  visitedAt: Dayjs;
  channel: VisitChannel;
  attendees: string[];
  topics: string[];
  policiesExplained?: string[];
  summary: string;
  nextVisitOn?: Dayjs;
}

/** Now in Beijing, as a picker value whose wall-clock fields are Beijing's. */
function beijingNow(): Dayjs {
  const p = beijingParts(Date.now());
  return dayjs(new Date(p.year, p.month - 1, p.day, p.hour, p.minute));
}

/** 记录走访: one visit, logged once however often the button is pressed (idempotency key). */
export default function LogVisit() {
  const { id = "" } = useParams();
  const { claims } = useSession();
  const navigate = useNavigate();
  const [enterprise] = useQuery({ query: EnterpriseQuery, variables: { id } });
  const [policies] = useQuery({ query: PoliciesQuery });
  const log = useAction(LogVisitMutation);
  const [key, setKey] = useState(newIdempotencyKey);
  const [logged, setLogged] = useState<{ id: string; visitedAt: string } | null>(null);
  const e = enterprise.data?.enterprise;
  const initial = useMemo(
    // openedAt: the instant itself (beijingNow's fields are Beijing's, its instant is not).
    () => ({ openedAt: Date.now(), visitedAt: beijingNow(), channel: "ON_SITE", attendees: e ? defaultAttendees(e.contacts, claims.name) : [claims.name], topics: [] }),
    [e, claims.name],
  );

  async function submit(v: Values) {
    const t = v.visitedAt;
    const picked = visitedAtIso({ year: t.year(), month: t.month() + 1, day: t.date(), hour: t.hour(), minute: t.minute() });
    const done = await log.run({
      input: {
        enterpriseId: id,
        // Left as the form set it, or set to now: the exact instant (lib/visit.ts).
        visitedAt: visitedAtToSend(picked, initial.openedAt, Date.now()),
        channel: v.channel,
        attendees: v.attendees,
        topics: v.topics,
        policiesExplained: v.policiesExplained ?? [],
        summary: v.summary,
        nextVisitOn: v.nextVisitOn ? v.nextVisitOn.format("YYYY-MM-DD") : null,
        idempotencyKey: key,
      },
    });
    if (done) {
      setLogged(done.logVisit.visit);
      setKey(newIdempotencyKey()); // the next form is a new visit
    }
  }

  if (logged) {
    return (
      <Result
        status="success"
        title="走访已记录"
        subTitle={`${e?.name ?? ""} · ${formatDateTime(logged.visitedAt)}（北京时间）`}
        extra={[
          <Button type="primary" key="demand" onClick={() => navigate(`/enterprises/${id}/visits/${logged.id}/demand`)}>
            提出诉求
          </Button>,
          <Button key="back" onClick={() => navigate(`/enterprises/${id}`)}>
            返回企业详情
          </Button>,
        ]}
      />
    );
  }

  return (
    <QueryState fetching={enterprise.fetching} error={enterprise.error} empty={!e} emptyText="未找到该企业，或您无权查看">
      <PageTitle title="记录走访">{e?.name}</PageTitle>
      <Card size="small" style={{ maxWidth: 720 }}>
        <ErrorAlert error={log.error} onClose={log.clearError} />
        {e && (
          <Form<Values> layout="vertical" initialValues={initial} onFinish={submit} disabled={log.fetching}>
            <Form.Item name="visitedAt" label="走访时间（北京时间）" rules={[{ required: true, message: "请选择走访时间" }]}>
              <DatePicker showTime={{ format: "HH:mm" }} format="YYYY-MM-DD HH:mm" style={{ width: "100%" }} disabledDate={(d) => d.isAfter(dayjs().add(1, "day"))} />
            </Form.Item>
            <Form.Item name="channel" label="走访方式" rules={[{ required: true }]}>
              <Radio.Group optionType="button" options={optionsOf(CHANNEL_LABELS)} />
            </Form.Item>
            <Form.Item name="attendees" label="参加人员" rules={[{ required: true, type: "array", min: 1, message: "请填写参加人员" }]}>
              <Select mode="tags" tokenSeparators={[",", "，", "、"]} placeholder="输入姓名后回车" />
            </Form.Item>
            <Form.Item name="topics" label="走访事项" rules={[{ required: true, type: "array", min: 1, message: "请至少选择或填写一项走访事项" }]}>
              <Select mode="tags" tokenSeparators={[",", "，", "、"]} options={COMMON_TOPICS.map((t) => ({ value: t, label: t }))} placeholder="选择或输入后回车" />
            </Form.Item>
            <Form.Item name="policiesExplained" label="宣讲政策">
              <Select
                mode="multiple"
                showSearch={{ optionFilterProp: "label" }}
                loading={policies.fetching}
                options={(policies.data?.policies ?? []).map((p) => ({ value: p.code, label: p.title }))}
                placeholder="从政策目录中选择"
              />
            </Form.Item>
            <Form.Item name="summary" label="走访情况" rules={[{ required: true, whitespace: true, message: "请填写走访情况" }]}>
              <Input.TextArea rows={4} maxLength={2000} showCount />
            </Form.Item>
            <Form.Item name="nextVisitOn" label="下次走访日期">
              <DatePicker style={{ width: "100%" }} disabledDate={(d) => d.isBefore(dayjs().startOf("day"))} />
            </Form.Item>
            <Space>
              <Button type="primary" htmlType="submit" loading={log.fetching}>
                保存走访记录
              </Button>
              <Button onClick={() => navigate(`/enterprises/${id}`)}>取消</Button>
            </Space>
          </Form>
        )}
      </Card>
    </QueryState>
  );
}
