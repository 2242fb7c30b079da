using System.Globalization;
using System.Text;

namespace AeroSnapshot.Cli.Output;

/// <summary>
/// Text for a terminal made from untrusted parts (paths, file names, messages quoting them):
/// control characters are escaped, so a file named <c>x\naerosnap: OK</c> prints as one line with a
/// visible <c>\n</c> and can never forge a line of output or drive the terminal with escape
/// sequences. JSON output needs none of this: the JSON writer escapes control characters itself.
/// </summary>
internal static class Printable
{
    /// <summary>
    /// <paramref name="text"/> with every C0 control, DEL and C1 control written as an escape
    /// (<c>\n</c>, <c>\t</c>, <c>\r</c>, <c>\e</c>, else <c>\xNN</c> or <c>\u00NN</c>); a backslash itself
    /// is left alone, as it is an ordinary character in a Linux file name.
    /// </summary>
    public static string Escape(string text)
    {
        int first = IndexOfControl(text);
        if (first < 0)
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        escaped.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (!IsControl(c))
            {
                escaped.Append(c);
                continue;
            }

            escaped.Append(c switch
            {
                '\n' => @"\n",
                '\t' => @"\t",
                '\r' => @"\r",
                '\u001b' => @"\e",
                < '\u0080' => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"),
            });
        }

        return escaped.ToString();
    }

    private static int IndexOfControl(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if (IsControl(text[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsControl(char c) => c < ' ' || c is >= '\u007f' and <= '\u009f';
}
