import { BellOutlined } from "@ant-design/icons";
import { Badge, Button } from "antd";
import { useEffect } from "react";
import { useNavigate } from "react-router-dom";
import { useQuery } from "urql";

import { UnreadNotificationsQuery } from "../operations";

/** The header's bell: unread notifications, looked at again every 30 seconds. */
export function NotificationBell() {
  const navigate = useNavigate();
  const [unread, refetch] = useQuery({ query: UnreadNotificationsQuery, requestPolicy: "network-only" });
  useEffect(() => {
    const timer = window.setInterval(() => refetch({ requestPolicy: "network-only" }), 30_000);
    return () => window.clearInterval(timer);
  }, [refetch]);
  const count = unread.data?.notifications.unreadCount ?? 0;
  return (
    <Badge count={count} size="small" overflowCount={99}>
      <Button
        type="text"
        aria-label={`通知（${count}条未读）`}
        data-testid="notification-bell"
        icon={<BellOutlined style={{ color: "#fff", fontSize: 18 }} />}
        onClick={() => navigate("/notifications")}
      />
    </Badge>
  );
}
