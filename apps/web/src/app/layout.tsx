import type { Metadata } from "next";
import { Suspense, type ReactNode } from "react";
import { SessionExpiredDialog } from "~/components/session-expired-dialog";
import { SiteHeader } from "~/components/site-header";
import { TRPCReactProvider } from "~/trpc/react";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Stepwise", template: "%s · Stepwise" },
  description: "Learn the universal workflow of machine learning, one graded step at a time.",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <a href="#main" className="skip-link">
          Skip to content
        </a>
        <TRPCReactProvider>
          <SiteHeader />
          <main id="main" tabIndex={-1}>
            {children}
          </main>
          <Suspense fallback={null}>
            <SessionExpiredDialog />
          </Suspense>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
