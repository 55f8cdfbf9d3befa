using System.Text;

namespace LocalControl.Imaging.Formats.Dicom;

/// <summary>
/// Maps SpecificCharacterSet defined terms (PS3.3 C.12.1.1.2) to .NET encodings. Single-byte sets and UTF-8 are
/// decoded exactly; for ISO 2022 code extensions only the first (G0/G1) set is used, which is exact for the
/// common Latin sets and a documented limitation for escape-switched Japanese and Korean text.
/// </summary>
internal static class DicomCharacterSets
{
    static DicomCharacterSets() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    public static Encoding Resolve(string? specificCharacterSet)
    {
        var term = (specificCharacterSet ?? string.Empty).Split('\\').Select(t => t.Trim(' ', '\0')).FirstOrDefault(t => t.Length > 0);
        var name = term switch
        {
            null or "ISO_IR 6" or "ISO 2022 IR 6" => "iso-8859-1", // default repertoire; Latin-1 keeps bytes > 0x7F readable, as pydicom
            "ISO_IR 100" or "ISO 2022 IR 100" => "iso-8859-1",
            "ISO_IR 101" or "ISO 2022 IR 101" => "iso-8859-2",
            "ISO_IR 109" or "ISO 2022 IR 109" => "iso-8859-3",
            "ISO_IR 110" or "ISO 2022 IR 110" => "iso-8859-4",
            "ISO_IR 144" or "ISO 2022 IR 144" => "iso-8859-5",
            "ISO_IR 127" or "ISO 2022 IR 127" => "iso-8859-6",
            "ISO_IR 126" or "ISO 2022 IR 126" => "iso-8859-7",
            "ISO_IR 138" or "ISO 2022 IR 138" => "iso-8859-8",
            "ISO_IR 148" or "ISO 2022 IR 148" => "iso-8859-9",
            "ISO_IR 203" or "ISO 2022 IR 203" => "iso-8859-15",
            "ISO_IR 166" or "ISO 2022 IR 166" => "windows-874",
            "ISO_IR 13" or "ISO 2022 IR 13" => "shift_jis",
            "ISO_IR 192" => "utf-8",
            "GB18030" => "gb18030",
            "GBK" => "gbk",
            "ISO 2022 IR 149" => "euc-kr",
            "ISO 2022 IR 58" => "gb2312",
            _ => "iso-8859-1",
        };
        return Encoding.GetEncoding(name);
    }
}
