import "dayjs/locale/zh-cn";

import { App as AntApp, ConfigProvider } from "antd";
import zhCN from "antd/locale/zh_CN";
import dayjs from "dayjs";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter } from "react-router-dom";

import "./global.css";

import { Root } from "./Root";

dayjs.locale("zh-cn");

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <ConfigProvider
      locale={zhCN}
      // 签收, not 签 收: antd spaces out two-character Chinese button labels by default.
      button={{ autoInsertSpace: false }}
      theme={{
        token: {
          colorPrimary: "#1f5fbf",
          borderRadius: 4,
          // System fonts only: nothing is fetched from outside the server.
          fontFamily:
            '-apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif',
        },
      }}
    >
      <AntApp>
        <BrowserRouter>
          <Root />
        </BrowserRouter>
      </AntApp>
    </ConfigProvider>
  </StrictMode>,
);
