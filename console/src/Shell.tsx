import {
  AlertOutlined,
  AuditOutlined,
  BankOutlined,
  BarChartOutlined,
  ClusterOutlined,
  FileAddOutlined,
  InboxOutlined,
  LogoutOutlined,
  MenuOutlined,
  ProfileOutlined,
  SendOutlined,
  SolutionOutlined,
  StarOutlined,
  SyncOutlined,
  TrophyOutlined,
  UploadOutlined,
} from "@ant-design/icons";
import { Button, Drawer, Grid, Layout, Menu, Space, Spin, Tag, Typography } from "antd";
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";
import { Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";
import { useQuery } from "urql";

import { ErrorBoundary } from "./components/ErrorBoundary";
import { NotificationBell } from "./components/NotificationBell";
import type { Role } from "./gql/graphql";
import { isUnauthenticated } from "./lib/errors";
import { ROLE_LABELS } from "./lib/labels";
import { MeQuery } from "./operations";
import { useSession } from "./session-context";

const MyEnterprises = lazy(() => import("./pages/commissioner/MyEnterprises"));
const EnterpriseDetail = lazy(() => import("./pages/commissioner/EnterpriseDetail"));
const LogVisit = lazy(() => import("./pages/commissioner/LogVisit"));
const RaiseDemand = lazy(() => import("./pages/commissioner/RaiseDemand"));
const IssueDetail = lazy(() => import("./pages/IssueDetail"));
const IssuesOverview = lazy(() => import("./pages/IssuesOverview"));
const Inbox = lazy(() => import("./pages/department/Inbox"));
const Working = lazy(() => import("./pages/department/Working"));
const DispatchQueue = lazy(() => import("./pages/supervisor/DispatchQueue"));
const AuditQueue = lazy(() => import("./pages/supervisor/AuditQueue"));
const Evaluation = lazy(() => import("./pages/supervisor/Evaluation"));
const Escalation = lazy(() => import("./pages/supervisor/Escalation"));
const KpiDashboard = lazy(() => import("./pages/supervisor/KpiDashboard"));
const League = lazy(() => import("./pages/supervisor/League"));
const LeagueDistrict = lazy(() => import("./pages/supervisor/LeagueDistrict"));
const LabourMap = lazy(() => import("./pages/labour/LabourMap"));
const SubmitReport = lazy(() => import("./pages/reporter/SubmitReport"));
const MyReports = lazy(() => import("./pages/reporter/MyReports"));
const AdminEnterprises = lazy(() => import("./pages/admin/AdminEnterprises"));
const Units = lazy(() => import("./pages/admin/Units"));
const ImportList = lazy(() => import("./pages/admin/ImportList"));
const Notifications = lazy(() => import("./pages/Notifications"));

interface Item {
  path: string;
  label: string;
  icon: ReactNode;
}

const SUPERVISION: Item[] = [
  { path: "/supervisor/dispatch", label: "待派单", icon: <SendOutlined /> },
  { path: "/supervisor/audit", label: "待审核", icon: <AuditOutlined /> },
  { path: "/supervisor/evaluation", label: "回访评价", icon: <StarOutlined /> },
  { path: "/supervisor/escalation", label: "催办督办", icon: <AlertOutlined /> },
  { path: "/issues", label: "诉求总览", icon: <ProfileOutlined /> },
  { path: "/supervisor/kpi", label: "指标看板", icon: <BarChartOutlined /> },
  { path: "/supervisor/league", label: "区县晾晒", icon: <TrophyOutlined /> },
  { path: "/labour/map", label: "用工需求地图", icon: <BarChartOutlined /> },
];

export const MENUS: Record<Role, Item[]> = {
  COMMISSIONER: [
    { path: "/enterprises", label: "我的企业", icon: <BankOutlined /> },
    { path: "/issues", label: "企业诉求", icon: <ProfileOutlined /> },
  ],
  DEPARTMENT: [
    { path: "/department/inbox", label: "待签收", icon: <InboxOutlined /> },
    { path: "/department/working", label: "办理中", icon: <SyncOutlined /> },
    { path: "/issues", label: "全部诉求", icon: <ProfileOutlined /> },
  ],
  SUPERVISOR: [...SUPERVISION, { path: "/enterprises", label: "企业名录", icon: <BankOutlined /> }],
  REPORTER: [
    { path: "/reports/new", label: "提交直报", icon: <FileAddOutlined /> },
    { path: "/reports", label: "我的直报", icon: <SolutionOutlined /> },
  ],
  ADMIN: [
    { path: "/admin/enterprises", label: "企业管理", icon: <BankOutlined /> },
    { path: "/admin/import", label: "名单导入", icon: <UploadOutlined /> },
    { path: "/admin/units", label: "部门与直报点", icon: <ClusterOutlined /> },
    ...SUPERVISION,
  ],
};

function selectedKey(pathname: string, items: Item[]): string {
  const matches = items.filter((i) => pathname === i.path || pathname.startsWith(i.path + "/"));
  return matches.sort((a, b) => b.path.length - a.path.length)[0]?.path ?? "";
}

export function Shell() {
  const { claims, signOut } = useSession();
  const screens = Grid.useBreakpoint();
  const navigate = useNavigate();
  const location = useLocation();
  const [drawer, setDrawer] = useState(false);
  const [me] = useQuery({ query: MeQuery });
  const items = MENUS[claims.role];

  useEffect(() => {
    if (isUnauthenticated(me.error)) signOut();
  }, [me.error, signOut]);
  useEffect(() => {
    const left = claims.exp * 1000 - Date.now();
    const timer = window.setTimeout(signOut, Math.max(0, Math.min(left, 2 ** 31 - 1)));
    return () => window.clearTimeout(timer);
  }, [claims.exp, signOut]);

  const menu = (
    <Menu
      mode="inline"
      selectedKeys={[selectedKey(location.pathname, items)]}
      items={items.map((i) => ({ key: i.path, label: i.label, icon: i.icon }))}
      onClick={({ key }) => {
        setDrawer(false);
        navigate(key);
      }}
      style={{ borderInlineEnd: 0 }}
    />
  );
  const wide = screens.lg;

  return (
    <Layout style={{ minHeight: "100vh" }}>
      <Layout.Header
        style={{
          display: "flex",
          alignItems: "center",
          gap: 12,
          padding: wide ? "0 24px" : "0 12px",
          background: "#1f5fbf",
        }}
      >
        {!wide && (
          <Button
            type="text"
            aria-label="菜单"
            icon={<MenuOutlined style={{ color: "#fff" }} />}
            onClick={() => setDrawer(true)}
          />
        )}
        <Typography.Text strong style={{ color: "#fff", fontSize: wide ? 18 : 16, whiteSpace: "nowrap" }}>
          {wide ? "企业服务包管理平台" : "企业服务包"}
        </Typography.Text>
        <div style={{ flex: 1 }} />
        <Space size={8}>
          <NotificationBell />
          {wide && <Tag color="gold">{ROLE_LABELS[claims.role]}</Tag>}
          <Typography.Text style={{ color: "#fff" }} data-testid="who">
            {claims.name}
          </Typography.Text>
          <Button size="small" icon={<LogoutOutlined />} onClick={signOut}>
            退出
          </Button>
        </Space>
      </Layout.Header>
      <Layout>
        {wide ? (
          <Layout.Sider width={200} theme="light">
            {menu}
          </Layout.Sider>
        ) : (
          <Drawer
            placement="left"
            open={drawer}
            onClose={() => setDrawer(false)}
            size={240}
            title={`${ROLE_LABELS[claims.role]} · ${claims.name}`}
            styles={{ body: { padding: 0 } }}
          >
            {menu}
          </Drawer>
        )}
        <Layout.Content style={{ padding: wide ? 24 : 12, minWidth: 0 }}>
          <ErrorBoundary key={location.pathname}>
          <Suspense
            fallback={
              <div style={{ padding: 48, textAlign: "center" }}>
                <Spin description="加载中…" />
              </div>
            }
          >
            <Routes>
              <Route path="/" element={<Navigate to={items[0].path} replace />} />
              <Route path="/login" element={<Navigate to={items[0].path} replace />} />
              <Route path="/enterprises" element={<MyEnterprises />} />
              <Route path="/enterprises/:id" element={<EnterpriseDetail />} />
              <Route path="/enterprises/:id/visit" element={<LogVisit />} />
              <Route path="/enterprises/:id/visits/:visitId/demand" element={<RaiseDemand />} />
              <Route path="/issues" element={<IssuesOverview />} />
              <Route path="/issues/:id" element={<IssueDetail />} />
              <Route path="/department/inbox" element={<Inbox />} />
              <Route path="/department/working" element={<Working />} />
              <Route path="/supervisor/dispatch" element={<DispatchQueue />} />
              <Route path="/supervisor/audit" element={<AuditQueue />} />
              <Route path="/supervisor/evaluation" element={<Evaluation />} />
              <Route path="/supervisor/escalation" element={<Escalation />} />
              <Route path="/supervisor/kpi" element={<KpiDashboard />} />
              <Route path="/supervisor/league" element={<League />} />
              <Route path="/supervisor/league/:district" element={<LeagueDistrict />} />
              <Route path="/labour/map" element={<LabourMap />} />
              <Route path="/reports" element={<MyReports />} />
              <Route path="/reports/new" element={<SubmitReport />} />
              <Route path="/admin/enterprises" element={<AdminEnterprises />} />
              <Route path="/admin/import" element={<ImportList />} />
              <Route path="/admin/units" element={<Units />} />
              <Route path="/notifications" element={<Notifications />} />
              <Route path="*" element={<NotFoundPage />} />
            </Routes>
          </Suspense>
          </ErrorBoundary>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}

function NotFoundPage() {
  const navigate = useNavigate();
  return (
    <Space orientation="vertical">
      <Typography.Title level={4}>页面不存在</Typography.Title>
      <Button onClick={() => navigate("/")}>返回首页</Button>
    </Space>
  );
}

export default Shell;
