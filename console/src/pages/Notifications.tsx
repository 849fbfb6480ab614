import { Button, List, Space, Switch, Tag, Typography } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";
import { useMutation, useQuery } from "urql";

import { PageTitle, QueryState } from "../components/common";
import { MarkNotificationsReadMutation, NotificationsQuery } from "../operations";
import { formatDateTime } from "../lib/time";

const KIND_COLORS: Record<string, string> = {
  WARNED: "orange",
  URGE: "volcano",
  SUPERVISE: "red",
  NOTIFY: "magenta",
  DISPATCHED: "blue",
  RETURNED: "gold",
  CLOSED: "green",
  VISIT_DUE: "cyan",
  NOT_VISITED: "purple",
};

/** 通知: this person's notifications, the newest first; read ones greyed. */
export default function Notifications() {
  const navigate = useNavigate();
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [after, setAfter] = useState<string | null>(null);
  const [result, refetch] = useQuery({
    query: NotificationsQuery,
    variables: { first: 20, after, unreadOnly },
    requestPolicy: "network-only",
  });
  const [, markRead] = useMutation(MarkNotificationsReadMutation);
  const page = result.data?.notifications;
  const nodes = page?.edges.map((e) => e.node) ?? [];
  const unreadIds = nodes.filter((n) => !n.read).map((n) => n.id);

  const mark = async (ids: string[]) => {
    if (!ids.length) return;
    await markRead({ ids });
    refetch({ requestPolicy: "network-only" });
  };

  return (
    <>
      <PageTitle
        title="通知"
        extra={
          <Space wrap>
            <Switch
              checked={unreadOnly}
              onChange={(v) => {
                setUnreadOnly(v);
                setAfter(null);
              }}
            />
            <span>只看未读</span>
            <Button disabled={!unreadIds.length} onClick={() => void mark(unreadIds)}>
              本页全部标为已读
            </Button>
          </Space>
        }
      >
        派单、预警、催办、督办、退回重办、办结与走访提醒。未读 {page?.unreadCount ?? 0} 条。
      </PageTitle>
      <QueryState
        fetching={result.fetching}
        error={result.error}
        empty={!nodes.length}
        emptyText="没有通知"
        retry={() => refetch({ requestPolicy: "network-only" })}
      >
        <List
          dataSource={nodes}
          renderItem={(n) => (
            <List.Item
              data-testid="notification"
              actions={[
                n.issueId ? (
                  <Button
                    key="open"
                    type="link"
                    onClick={() => {
                      void mark(n.read ? [] : [n.id]);
                      navigate(`/issues/${n.issueId}`);
                    }}
                  >
                    查看诉求
                  </Button>
                ) : null,
                n.read ? null : (
                  <Button key="read" type="link" onClick={() => void mark([n.id])}>
                    标为已读
                  </Button>
                ),
              ]}
            >
              <List.Item.Meta
                title={
                  <Space wrap>
                    <Tag color={KIND_COLORS[n.kind] ?? "default"}>{n.kindLabel}</Tag>
                    <Typography.Text type={n.read ? "secondary" : undefined} strong={!n.read}>
                      {n.text}
                    </Typography.Text>
                  </Space>
                }
                description={formatDateTime(n.createdAt)}
              />
            </List.Item>
          )}
        />
        <Space style={{ marginTop: 12 }}>
          {after && <Button onClick={() => setAfter(null)}>回到最新</Button>}
          {page?.pageInfo.hasNextPage && (
            <Button onClick={() => setAfter(page.pageInfo.endCursor ?? null)}>更早的通知</Button>
          )}
        </Space>
      </QueryState>
    </>
  );
}
