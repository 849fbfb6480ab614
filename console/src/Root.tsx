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

  const signIn = useCallback((token: string) => {
    storeToken(token);
    resetPositions();
    setSession(currentSession());
  }, []);
  const signOut = useCallback(() => {
    storeToken(null);
    resetPositions();
    setSession(null);
  }, []);

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
