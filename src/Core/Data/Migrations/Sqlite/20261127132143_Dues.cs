using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBranch.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Dues : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "branch_dues_settings",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    organization_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    reminder_day = table.Column<int>(type: "INTEGER", nullable: false),
                    collector = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    allow_we_chat_pay = table.Column<bool>(type: "INTEGER", nullable: false),
                    allow_cash = table.Column<bool>(type: "INTEGER", nullable: false),
                    farmer_amount_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_branch_dues_settings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dues_bills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    month = table.Column<int>(type: "INTEGER", nullable: false),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    paid_by_order_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: true),
                    organization_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dues_bills", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dues_issues",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    kind = table.Column<int>(type: "INTEGER", nullable: false),
                    bill_date = table.Column<DateOnly>(type: "TEXT", nullable: true),
                    out_trade_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    out_refund_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    our_amount_fen = table.Column<long>(type: "INTEGER", nullable: true),
                    their_amount_fen = table.Column<long>(type: "INTEGER", nullable: true),
                    our_state = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    their_state = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    detail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: false),
                    resolved_at = table.Column<long>(type: "INTEGER", nullable: true),
                    resolved_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    resolution = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dues_issues", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dues_standards",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    category = table.Column<int>(type: "INTEGER", nullable: false),
                    base_fen = table.Column<long>(type: "INTEGER", nullable: true),
                    rate_basis_points = table.Column<int>(type: "INTEGER", nullable: false),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    reduced_amount_fen = table.Column<long>(type: "INTEGER", nullable: true),
                    reduction_approved_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    effective_from = table.Column<int>(type: "INTEGER", nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dues_standards", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pay_notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    received_at = table.Column<long>(type: "INTEGER", nullable: false),
                    kind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    notification_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    event_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    out_trade_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    serial = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    timestamp = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true),
                    nonce = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    signature = table.Column<string>(type: "TEXT", maxLength: 700, nullable: true),
                    raw_body = table.Column<string>(type: "TEXT", nullable: false),
                    outcome = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    detail = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pay_notifications", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "pay_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    out_trade_no = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    payer_we_chat_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    payer_open_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    paid_on_behalf = table.Column<bool>(type: "INTEGER", nullable: false),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    extra_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    prepay_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    transaction_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    paid_at = table.Column<long>(type: "INTEGER", nullable: true),
                    closed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    points_credited = table.Column<bool>(type: "INTEGER", nullable: false),
                    description = table.Column<string>(type: "TEXT", maxLength: 127, nullable: false),
                    organization_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    version = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pay_orders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "dues_refunds",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    out_refund_no = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: false),
                    reason = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    requested_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    decided_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    decided_at = table.Column<long>(type: "INTEGER", nullable: true),
                    decision_note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    refund_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    succeeded_at = table.Column<long>(type: "INTEGER", nullable: true),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_dues_refunds", x => x.id);
                    table.ForeignKey(
                        name: "fk_dues_refunds_pay_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "pay_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "pay_order_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    order_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    bill_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    month = table.Column<int>(type: "INTEGER", nullable: false),
                    amount_fen = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pay_order_items", x => x.id);
                    table.ForeignKey(
                        name: "fk_pay_order_items_pay_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "pay_orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_branch_dues_settings_organization_id",
                table: "branch_dues_settings",
                column: "organization_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dues_bills_member_id_month",
                table: "dues_bills",
                columns: new[] { "member_id", "month" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dues_bills_month_organization_path",
                table: "dues_bills",
                columns: new[] { "month", "organization_path" });

            migrationBuilder.CreateIndex(
                name: "ix_dues_issues_bill_date",
                table: "dues_issues",
                column: "bill_date");

            migrationBuilder.CreateIndex(
                name: "ix_dues_issues_resolved_at_created_at",
                table: "dues_issues",
                columns: new[] { "resolved_at", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_dues_refunds_order_id",
                table: "dues_refunds",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_dues_refunds_out_refund_no",
                table: "dues_refunds",
                column: "out_refund_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_dues_standards_member_id_effective_from",
                table: "dues_standards",
                columns: new[] { "member_id", "effective_from" });

            migrationBuilder.CreateIndex(
                name: "ix_pay_notifications_out_trade_no",
                table: "pay_notifications",
                column: "out_trade_no");

            migrationBuilder.CreateIndex(
                name: "ix_pay_notifications_received_at",
                table: "pay_notifications",
                column: "received_at");

            migrationBuilder.CreateIndex(
                name: "ix_pay_order_items_bill_id",
                table: "pay_order_items",
                column: "bill_id");

            migrationBuilder.CreateIndex(
                name: "ix_pay_order_items_order_id",
                table: "pay_order_items",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_pay_orders_member_id_status",
                table: "pay_orders",
                columns: new[] { "member_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_pay_orders_out_trade_no",
                table: "pay_orders",
                column: "out_trade_no",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_pay_orders_paid_at",
                table: "pay_orders",
                column: "paid_at");

            migrationBuilder.CreateIndex(
                name: "ix_pay_orders_status_created_at",
                table: "pay_orders",
                columns: new[] { "status", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "branch_dues_settings");

            migrationBuilder.DropTable(
                name: "dues_bills");

            migrationBuilder.DropTable(
                name: "dues_issues");

            migrationBuilder.DropTable(
                name: "dues_refunds");

            migrationBuilder.DropTable(
                name: "dues_standards");

            migrationBuilder.DropTable(
                name: "pay_notifications");

            migrationBuilder.DropTable(
                name: "pay_order_items");

            migrationBuilder.DropTable(
                name: "pay_orders");
        }
    }
}
