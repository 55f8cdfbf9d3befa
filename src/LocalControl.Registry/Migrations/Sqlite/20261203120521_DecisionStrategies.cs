using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LocalControl.Registry.Migrations.Sqlite
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
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    DecisionId = table.Column<long>(type: "INTEGER", nullable: false),
                    UserName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    SignedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
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

            // Sign-offs are history, like the decisions they sign: refused for anyone with SQL access too.
            migrationBuilder.Sql("CREATE TRIGGER decision_signoffs_no_update BEFORE UPDATE ON decision_signoffs BEGIN SELECT RAISE(ABORT, 'decision_signoffs is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER decision_signoffs_no_delete BEFORE DELETE ON decision_signoffs BEGIN SELECT RAISE(ABORT, 'decision_signoffs is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS decision_signoffs_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS decision_signoffs_no_delete;");
            migrationBuilder.DropTable(
                name: "decision_signoffs");
        }
    }
}
