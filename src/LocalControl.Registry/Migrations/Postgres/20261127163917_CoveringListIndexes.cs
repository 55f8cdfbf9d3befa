using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class CoveringListIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_Status_UpdatedUtc_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_UpdatedUtc_Id",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_list",
                table: "cases",
                columns: new[] { "UpdatedUtc", "Id", "Status", "CaseId", "Organs", "LesionCount", "MeetingDate" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_list_by_status",
                table: "cases",
                columns: new[] { "Status", "UpdatedUtc", "Id", "CaseId", "Organs", "LesionCount", "MeetingDate" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_list",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_list_by_status",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_Status_UpdatedUtc_Id",
                table: "cases",
                columns: new[] { "Status", "UpdatedUtc", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_UpdatedUtc_Id",
                table: "cases",
                columns: new[] { "UpdatedUtc", "Id" });
        }
    }
}
