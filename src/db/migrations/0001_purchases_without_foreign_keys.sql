ALTER TABLE "purchases" DROP CONSTRAINT "purchases_customer_id_customers_id_fk";
--> statement-breakpoint
ALTER TABLE "purchases" DROP CONSTRAINT "purchases_item_id_items_id_fk";
