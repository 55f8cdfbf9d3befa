using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LocalControl.Registry.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TreatmentsAndFollowUps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "follow_up_lesions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseRecordId = table.Column<long>(type: "bigint", nullable: false),
                    StudyDate = table.Column<DateOnly>(type: "date", nullable: false),
                    Modality = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    LesionId = table.Column<string>(type: "text", nullable: false),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    LongestDiameterMm = table.Column<double>(type: "double precision", nullable: true),
                    ShortAxisMm = table.Column<double>(type: "double precision", nullable: true),
                    UnequivocalProgression = table.Column<bool>(type: "boolean", nullable: true),
                    HasAblationZone = table.Column<bool>(type: "boolean", nullable: false),
                    EnhancingTissue = table.Column<bool>(type: "boolean", nullable: true),
                    AdjacentToZone = table.Column<bool>(type: "boolean", nullable: true),
                    ZoneDiameterMm = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_follow_up_lesions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_follow_up_lesions_cases_CaseRecordId",
                        column: x => x.CaseRecordId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "treatments",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    CaseRecordId = table.Column<long>(type: "bigint", nullable: false),
                    TreatmentId = table.Column<string>(type: "text", nullable: false),
                    LesionId = table.Column<string>(type: "text", nullable: true),
                    Date = table.Column<DateOnly>(type: "date", nullable: false),
                    Therapy = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Approach = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Intent = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: true),
                    Device = table.Column<string>(type: "text", nullable: true),
                    Setting = table.Column<string>(type: "text", nullable: true),
                    Regimen = table.Column<string>(type: "text", nullable: true),
                    TechnicalSuccess = table.Column<bool>(type: "boolean", nullable: true),
                    ComplicationGrade = table.Column<int>(type: "integer", nullable: true),
                    MinimalAblativeMarginMm = table.Column<double>(type: "double precision", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_treatments", x => x.Id);
                    table.ForeignKey(
                        name: "FK_treatments_cases_CaseRecordId",
                        column: x => x.CaseRecordId,
                        principalTable: "cases",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_follow_up_lesions_CaseRecordId_LesionId_StudyDate",
                table: "follow_up_lesions",
                columns: new[] { "CaseRecordId", "LesionId", "StudyDate" });

            migrationBuilder.CreateIndex(
                name: "IX_treatments_CaseRecordId",
                table: "treatments",
                column: "CaseRecordId");

            migrationBuilder.CreateIndex(
                name: "IX_treatments_Therapy_Date",
                table: "treatments",
                columns: new[] { "Therapy", "Date" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "follow_up_lesions");

            migrationBuilder.DropTable(
                name: "treatments");
        }
    }
}
