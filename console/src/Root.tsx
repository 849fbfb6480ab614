import { App } from "antd";
import { useCallback, useMemo, useState } from "react";
import { Navigate, Route, Routes } from "react-router-dom";
import { Provider } from "urql";

import { makeClient } from "./client";
import { resetPositions } from "./lib/position";
import { currentSession, storeToken } from "./lib/session";
import { Login } from "./pages/Login";
import { Shell } from "./Shell";
import { SessionContext } from "./session-context";

export function Root() {
  const [session, setSession] = useState(() => currentSession());
  // A new client per person: nothing one person read is shown from cache to the next.
  const client = useMemo(() => makeClient(), [session?.token]); // eslint-disable-line react-hooks/exhaustive-deps
  // Nor a notice: one person's refusal or success is not shown over the next one's pages.
  const { message } = App.useApp();

  const signIn = useCallback(
    (token: string) => {
      message.destroy();
      storeToken(token);
      resetPositions();
      setSession(currentSession());
    },
    [message],
  );
  const signOut = useCallback(() => {
    message.destroy();
    storeToken(null);
    resetPositions();
    setSession(null);
  }, [message]);

  if (!session) {
    return (
      <Routes>
        <Route path="/login" element={<Login onSignIn={signIn} />} />
        <Route path="*" element={<Navigate to="/login" replace />} />
      </Routes>
    );
  }
  return (
    <Provider value={client}>
      <SessionContext.Provider value={{ claims: session.claims, signOut }}>
        <Shell />
      </SessionContext.Provider>
    </Provider>
  );
}
