using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ListOrderIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_Status_UpdatedUtc",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_UpdatedUtc",
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

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_cases_Status_UpdatedUtc_Id",
                table: "cases");

            migrationBuilder.DropIndex(
                name: "IX_cases_UpdatedUtc_Id",
                table: "cases");

            migrationBuilder.CreateIndex(
                name: "IX_cases_Status_UpdatedUtc",
                table: "cases",
                columns: new[] { "Status", "UpdatedUtc" });

            migrationBuilder.CreateIndex(
                name: "IX_cases_UpdatedUtc",
                table: "cases",
                column: "UpdatedUtc");
        }
    }
}
