CREATE TABLE "dashboard_logouts" (
	"session_id" text PRIMARY KEY NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "dashboard_summaries" (
	"name" text PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"body" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "dashboard_logouts_expires_idx" ON "dashboard_logouts" USING btree ("expires_at");