using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LocalControl.Registry.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Hardening : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ChainSeq",
                table: "decisions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "decisions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RowHash",
                table: "decisions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ChainSeq",
                table: "audit",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "audit",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RowHash",
                table: "audit",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Disabled",
                table: "AspNetUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "case_versions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CaseRecordId = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    CaseId = table.Column<string>(type: "TEXT", maxLength: 128, nullable: false),
                    CaseFileJson = table.Column<string>(type: "TEXT", nullable: false),
                    Sha256 = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ChangedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    ChangedUtc = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_case_versions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_case_versions_cases_CaseRecordId",
                        column: x => x.CaseRecordId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_decisions_ChainSeq",
                table: "decisions",
                column: "ChainSeq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_ChainSeq",
                table: "audit",
                column: "ChainSeq",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_audit_UserName_Id",
                table: "audit",
                columns: new[] { "UserName", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_case_versions_CaseRecordId_Version",
                table: "case_versions",
                columns: new[] { "CaseRecordId", "Version" },
                unique: true);
            // Case-file versions are history, like the audit and the decisions: the database refuses to change them.
            migrationBuilder.Sql("CREATE TRIGGER case_versions_no_update BEFORE UPDATE ON case_versions BEGIN SELECT RAISE(ABORT, 'case_versions is append-only'); END;");
            migrationBuilder.Sql("CREATE TRIGGER case_versions_no_delete BEFORE DELETE ON case_versions BEGIN SELECT RAISE(ABORT, 'case_versions is append-only'); END;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS case_versions_no_update;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS case_versions_no_delete;");
            migrationBuilder.DropTable(
                name: "case_versions");

            migrationBuilder.DropIndex(
                name: "IX_decisions_ChainSeq",
                table: "decisions");

            migrationBuilder.DropIndex(
                name: "IX_audit_ChainSeq",
                table: "audit");

            migrationBuilder.DropIndex(
                name: "IX_audit_UserName_Id",
                table: "audit");

            migrationBuilder.DropColumn(
                name: "ChainSeq",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "PrevHash",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "RowHash",
                table: "decisions");

            migrationBuilder.DropColumn(
                name: "ChainSeq",
                table: "audit");

            migrationBuilder.DropColumn(
                name: "PrevHash",
                table: "audit");

            migrationBuilder.DropColumn(
                name: "RowHash",
                table: "audit");

            migrationBuilder.DropColumn(
                name: "Disabled",
                table: "AspNetUsers");
        }
    }
}
