using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class DecisionStrategies : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "decision_signoffs",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    DecisionId = table.Column<long>(type: "bigint", nullable: false),
                    UserName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    SignedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_decision_signoffs", x => x.Id);
                    table.ForeignKey(
                        name: "FK_decision_signoffs_decisions_DecisionId",
                        column: x => x.DecisionId,
                        principalTable: "decisions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_decision_signoffs_DecisionId_UserName",
                table: "decision_signoffs",
                columns: new[] { "DecisionId", "UserName" },
                unique: true);

            // Sign-offs are history, like the decisions they sign (the function comes from the Initial migration).
            migrationBuilder.Sql("CREATE TRIGGER decision_signoffs_append_only BEFORE UPDATE OR DELETE ON decision_signoffs FOR EACH ROW EXECUTE FUNCTION lc_refuse_history_change();");
            migrationBuilder.Sql("CREATE TRIGGER decision_signoffs_no_truncate BEFORE TRUNCATE ON decision_signoffs FOR EACH STATEMENT EXECUTE FUNCTION lc_refuse_history_change();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS decision_signoffs_append_only ON decision_signoffs;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS decision_signoffs_no_truncate ON decision_signoffs;");
            migrationBuilder.DropTable(
                name: "decision_signoffs");
        }
    }
}
