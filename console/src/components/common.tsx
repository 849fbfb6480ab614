import { Alert, Button, Empty, Result, Space, Spin, Tag, Typography } from "antd";
import { type ReactNode, useEffect, useState } from "react";

import type { IssueStatus } from "../gql/graphql";
import { describeError, type ErrorLike } from "../lib/errors";
import { STATUS_COLORS, STATUS_LABELS } from "../lib/labels";
import { countdown, formatDateTime } from "../lib/time";

export function StatusTag({ status }: { status: IssueStatus }) {
  return <Tag color={STATUS_COLORS[status]}>{STATUS_LABELS[status]}</Tag>;
}

/** The current time, ticking every `everyMs` (for countdowns). */
export function useNow(everyMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [everyMs]);
  return now;
}

/** A deadline with the time left, red once passed, orange when close. */
export function Deadline({ at, done }: { at: string | null | undefined; done?: boolean }) {
  const now = useNow();
  if (!at) return <span>—</span>;
  if (done) return <span>{formatDateTime(at)}</span>;
  const left = countdown(at, now);
  const color = left.urgency === "overdue" ? "red" : left.urgency === "soon" ? "orange" : "green";
  return (
    <Space size={4} wrap>
      <span>{formatDateTime(at)}</span>
      <Tag color={color}>{left.text}</Tag>
    </Space>
  );
}

export function PageTitle({ title, extra, children }: { title: string; extra?: ReactNode; children?: ReactNode }) {
  return (
    <div style={{ marginBottom: 16 }}>
      <Space style={{ width: "100%", justifyContent: "space-between" }} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {extra}
      </Space>
      {children && <Typography.Paragraph type="secondary" style={{ margin: "8px 0 0" }}>{children}</Typography.Paragraph>}
    </div>
  );
}

/** Loading, failed or empty, as a person reads them; otherwise the page. */
export function QueryState({
  fetching,
  error,
  empty,
  emptyText = "暂无数据",
  retry,
  children,
}: {
  fetching: boolean;
  error?: ErrorLike | null;
  empty?: boolean;
  emptyText?: string;
  retry?: () => void;
  children?: ReactNode;
}) {
  if (error) {
    const described = describeError(error);
    return (
      <Alert
        type="error"
        showIcon
        title={described?.title ?? "加载失败"}
        description={described?.detail}
        action={retry && <Button onClick={retry}>重试</Button>}
      />
    );
  }
  if (fetching && empty) {
    return (
      <div style={{ padding: 48, textAlign: "center" }}>
        <Spin description="加载中…" />
      </div>
    );
  }
  if (empty) return <Empty description={emptyText} />;
  return <>{children}</>;
}

export function NotAvailable({ title, children }: { title: string; children: ReactNode }) {
  return <Result status="info" title={title} subTitle={children} />;
}
