using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class PatientIdentities : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "patient_identities",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseRecordId = table.Column<long>(type: "bigint", nullable: false),
                    MrnProtected = table.Column<string>(type: "text", nullable: true),
                    FamilyNameProtected = table.Column<string>(type: "text", nullable: true),
                    GivenNamesProtected = table.Column<string>(type: "text", nullable: true),
                    BirthDateProtected = table.Column<string>(type: "text", nullable: true),
                    SexProtected = table.Column<string>(type: "text", nullable: true),
                    MrnSearchKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    UpdatedUtc = table.Column<DateTime>(type: "timestamp with time zone", nullable: false),
                    UpdatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_patient_identities", x => x.Id);
                    table.ForeignKey(
                        name: "FK_patient_identities_cases_CaseRecordId",
                        column: x => x.CaseRecordId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_patient_identities_CaseRecordId",
                table: "patient_identities",
                column: "CaseRecordId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_patient_identities_MrnSearchKey",
                table: "patient_identities",
                column: "MrnSearchKey");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "patient_identities");
        }
    }
}
