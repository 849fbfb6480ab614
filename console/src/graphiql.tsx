// GraphiQL bundled with the console: served by the API at /graphql for a browser, working on
// an intranet (Strawberry's own page loads GraphiQL from a public CDN and stays blank offline).
import "graphiql/style.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { storedToken } from "./lib/session";

const fetcher = createGraphiQLFetcher({ url: "/graphql" });
const token = storedToken();

createRoot(document.getElementById("graphiql")!).render(
  <StrictMode>
    <GraphiQL
      fetcher={fetcher}
      defaultQuery={"# 在控制台登录后，这里自动带上同一令牌。\n{\n  me {\n    id\n    name\n    role\n  }\n}\n"}
      defaultHeaders={token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined}
      shouldPersistHeaders={false}
    />
  </StrictMode>,
);
