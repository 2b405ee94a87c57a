using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBranch.Core.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class IdentityPointsCheckIns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "activity_records",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    we_chat_user_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    organization_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    subject_type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    subject_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    details = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_activity_records", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "binding_requests",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    we_chat_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    method = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    claimed_name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    claimed_id_number_cipher = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    claimed_phone_cipher = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    organization_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    review_reason = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    reviewed_by = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    reviewed_at = table.Column<long>(type: "INTEGER", nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_binding_requests", x => x.id);
                    table.ForeignKey(
                        name: "fk_binding_requests_members_member_id",
                        column: x => x.member_id,
                        principalTable: "members",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_binding_requests_organizations_organization_id",
                        column: x => x.organization_id,
                        principalTable: "organizations",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_binding_requests_we_chat_users_we_chat_user_id",
                        column: x => x.we_chat_user_id,
                        principalTable: "we_chat_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "check_ins",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    streak = table.Column<int>(type: "INTEGER", nullable: false),
                    checked_in_at = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_check_ins", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "honours",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    title = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    awarded_on = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    awarded_by = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_honours", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "point_entries",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    member_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    source_key = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    points_tenths = table.Column<int>(type: "INTEGER", nullable: false),
                    rule_id = table.Column<Guid>(type: "TEXT", nullable: true),
                    occurred_at = table.Column<long>(type: "INTEGER", nullable: false),
                    organization_path = table.Column<string>(type: "TEXT", maxLength: 400, nullable: false),
                    note = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_point_entries", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "point_rules",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    points_tenths = table.Column<int>(type: "INTEGER", nullable: false),
                    cap_tenths = table.Column<int>(type: "INTEGER", nullable: true),
                    period = table.Column<int>(type: "INTEGER", nullable: false),
                    active_from = table.Column<long>(type: "INTEGER", nullable: false),
                    active_to = table.Column<long>(type: "INTEGER", nullable: true),
                    is_enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    created_by = table.Column<string>(type: "TEXT", nullable: true),
                    updated_at = table.Column<long>(type: "INTEGER", nullable: false),
                    updated_by = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_point_rules", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "we_chat_sessions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "TEXT", nullable: false),
                    token_hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    we_chat_user_id = table.Column<Guid>(type: "TEXT", nullable: false),
                    created_at = table.Column<long>(type: "INTEGER", nullable: false),
                    expires_at = table.Column<long>(type: "INTEGER", nullable: false),
                    revoked_at = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_we_chat_sessions", x => x.id);
                    table.ForeignKey(
                        name: "fk_we_chat_sessions_we_chat_users_we_chat_user_id",
                        column: x => x.we_chat_user_id,
                        principalTable: "we_chat_users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_activity_records_member_id_occurred_at",
                table: "activity_records",
                columns: new[] { "member_id", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_activity_records_organization_path_occurred_at",
                table: "activity_records",
                columns: new[] { "organization_path", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_binding_requests_member_id",
                table: "binding_requests",
                column: "member_id");

            migrationBuilder.CreateIndex(
                name: "ix_binding_requests_organization_id_status",
                table: "binding_requests",
                columns: new[] { "organization_id", "status" });

            migrationBuilder.CreateIndex(
                name: "ix_binding_requests_we_chat_user_id",
                table: "binding_requests",
                column: "we_chat_user_id");

            migrationBuilder.CreateIndex(
                name: "ix_check_ins_member_id_day",
                table: "check_ins",
                columns: new[] { "member_id", "day" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_honours_member_id",
                table: "honours",
                column: "member_id");

            migrationBuilder.CreateIndex(
                name: "ix_point_entries_member_id_action_occurred_at",
                table: "point_entries",
                columns: new[] { "member_id", "action", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_point_entries_member_id_action_source_key",
                table: "point_entries",
                columns: new[] { "member_id", "action", "source_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_point_entries_organization_path_occurred_at",
                table: "point_entries",
                columns: new[] { "organization_path", "occurred_at" });

            migrationBuilder.CreateIndex(
                name: "ix_point_rules_action_active_from",
                table: "point_rules",
                columns: new[] { "action", "active_from" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_we_chat_sessions_token_hash",
                table: "we_chat_sessions",
                column: "token_hash",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_we_chat_sessions_we_chat_user_id",
                table: "we_chat_sessions",
                column: "we_chat_user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "activity_records");

            migrationBuilder.DropTable(
                name: "binding_requests");

            migrationBuilder.DropTable(
                name: "check_ins");

            migrationBuilder.DropTable(
                name: "honours");

            migrationBuilder.DropTable(
                name: "point_entries");

            migrationBuilder.DropTable(
                name: "point_rules");

            migrationBuilder.DropTable(
                name: "we_chat_sessions");
        }
    }
}
