using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace EBranch.Core.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ReminderClaims : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "state",
                table: "dues_reminders_sent",
                type: "integer",
                nullable: false,
                defaultValue: 1); // rows written before this migration are reminders WeChat accepted (ReminderState.Sent)
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "state",
                table: "dues_reminders_sent");
        }
    }
}
