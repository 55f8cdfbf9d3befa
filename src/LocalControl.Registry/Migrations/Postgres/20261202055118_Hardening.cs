using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
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
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RowHash",
                table: "decisions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "ChainSeq",
                table: "audit",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PrevHash",
                table: "audit",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "RowHash",
                table: "audit",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Disabled",
                table: "AspNetUsers",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "case_versions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseRecordId = table.Column<long>(type: "bigint", nullable: false),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    CaseId = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    CaseFileJson = table.Column<string>(type: "text", nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ChangedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    ChangedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false)
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
            migrationBuilder.Sql("CREATE TRIGGER case_versions_append_only BEFORE UPDATE OR DELETE ON case_versions FOR EACH ROW EXECUTE FUNCTION lc_refuse_history_change();");
            migrationBuilder.Sql("CREATE TRIGGER case_versions_no_truncate BEFORE TRUNCATE ON case_versions FOR EACH STATEMENT EXECUTE FUNCTION lc_refuse_history_change();");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS case_versions_append_only ON case_versions;");
            migrationBuilder.Sql("DROP TRIGGER IF EXISTS case_versions_no_truncate ON case_versions;");
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
