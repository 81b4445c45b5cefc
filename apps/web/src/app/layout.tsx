import type { Metadata } from "next";
import type { ReactNode } from "react";
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
        <TRPCReactProvider>
          <SiteHeader />
          <main>{children}</main>
        </TRPCReactProvider>
      </body>
    </html>
  );
}
