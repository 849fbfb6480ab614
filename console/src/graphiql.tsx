// GraphiQL bundled with the console: served by the API at /graphql for a browser, working on
// an intranet (Strawberry's own page loads GraphiQL from a public CDN and stays blank offline).
import "graphiql/style.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { storedToken } from "./lib/session";

// Signed in to the console: the same token rides on every request, without showing it.
const token = storedToken();
const fetcher = createGraphiQLFetcher({
  url: "/graphql",
  headers: token ? { Authorization: `Bearer ${token}` } : undefined,
});

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={
        token
          ? "# 已使用控制台的登录身份，无需另填令牌。\n{\n  me {\n    id\n    name\n    role\n  }\n}\n"
          : '# 先在控制台（/）登录，或在下方 Headers 填写 {"Authorization": "Bearer <令牌>"}。\n{\n  __typename\n}\n'
      }
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
