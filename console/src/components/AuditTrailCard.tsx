import { Button, Card, Table, Typography } from "antd";
import { useState } from "react";
import { useQuery } from "urql";

import type { AuditTrailQuery as Result, Role } from "../gql/graphql";
import { changeText } from "../lib/audit";
import { describeError } from "../lib/errors";
import { currentAfter, firstPage, nextPage, previousPage } from "../lib/pagination";
import { formatDateTime } from "../lib/time";
import { AuditTrailQuery } from "../operations";
import { CursorPager } from "./CursorPager";
import { ErrorAlert } from "./ErrorAlert";

type Entry = Result["auditTrail"]["edges"][number]["node"];

const PAGE = 20;

/** Who may read an audit trail (the API decides; the console only hides the card from others). */
export const AUDIT_ROLES: readonly Role[] = ["ADMIN", "SUPERVISOR"];

/** 审计轨迹: every event of one enterprise or issue, oldest first; loaded when opened. */
export function AuditTrailCard({ streamId }: { streamId: string }) {
  const [open, setOpen] = useState(false);
  const [pages, setPages] = useState(firstPage);
  const [result] = useQuery({
    query: AuditTrailQuery,
    variables: { streamId, first: PAGE, after: currentAfter(pages) },
    pause: !open,
  });
  const trail = result.data?.auditTrail;
  const columns = [
    { title: "时间（北京时间）", key: "at", width: 170, render: (_: unknown, e: Entry) => formatDateTime(e.at) },
    { title: "事项", dataIndex: "label", key: "label", width: 140 },
    {
      title: "操作人",
      key: "actor",
      width: 180,
      render: (_: unknown, e: Entry) => (e.actor ? `${e.actor.name}（${e.actor.roleLabel}）` : "系统"),
    },
    {
      title: "变更",
      key: "changes",
      render: (_: unknown, e: Entry) =>
        e.changes.map((c) => (
          <div key={c.field}>
            <Typography.Text>{changeText(c)}</Typography.Text>
          </div>
        )),
    },
    {
      title: "请求号 / 客户端",
      key: "request",
      width: 200,
      render: (_: unknown, e: Entry) => (
        <Typography.Text type="secondary" copyable={!!e.actor?.requestId}>
          {[e.actor?.requestId, e.actor?.clientApp].filter(Boolean).join(" / ") || "—"}
        </Typography.Text>
      ),
    },
  ];
  return (
    <Card
      size="small"
      title="审计轨迹"
      style={{ marginTop: 16 }}
      extra={
        !open && (
          <Button size="small" onClick={() => setOpen(true)}>
            查看
          </Button>
        )
      }
    >
      {!open && <Typography.Text type="secondary">谁、在何时、做了什么、改了哪些内容（个人信息按您的权限脱敏）</Typography.Text>}
      {open && result.error && <ErrorAlert error={describeError(result.error)} />}
      {open && !result.error && (
        <>
          <Table<Entry>
            size="small"
            rowKey="version"
            loading={result.fetching}
            dataSource={trail?.edges.map((edge) => edge.node) ?? []}
            columns={columns}
            pagination={false}
            scroll={{ x: 900 }}
          />
          {trail && (
            <CursorPager
              pages={pages}
              total={trail.totalCount}
              size={PAGE}
              hasNext={trail.pageInfo.hasNextPage}
              onPrevious={() => setPages(previousPage)}
              onNext={() => setPages((p) => nextPage(p, trail.pageInfo.endCursor))}
            />
          )}
        </>
      )}
    </Card>
  );
}
