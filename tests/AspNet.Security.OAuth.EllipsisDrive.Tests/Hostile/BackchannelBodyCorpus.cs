using System.Globalization;
using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// A reproducible corpus of hostile answers from Ellipsis Drive's backchannel: token responses and account
/// documents that are almost right (wrong types, missing or duplicated fields, absurd numbers, control characters
/// and non-ASCII inside token values, oversized strings, deep nesting, trailing garbage), each with a status.
/// </summary>
internal static class BackchannelBodyCorpus
{
    private static readonly int[] Statuses = [200, 200, 200, 200, 201, 204, 400, 401, 403, 429, 500, 502, 503];

    private static readonly string[] OddStrings =
    [
        "", " ", "abc\r\ndef", "abc\ndef", "tok\0en", "\u00e9t\u00e9", "\U0001F600", "\u202Eevil", "a b", "Bearer x", "\"quoted\"",
        "\\u0000", "%00", "<script>", new string('x', 70_000), "x,y", "x;y", "\t", "\u2028",
    ];

    private static readonly string[] OddValues =
    [
        "null", "true", "false", "0", "-1", "1e400", "-1e400", "3.5", "NaN", "\"NaN\"", "\"Infinity\"", "9223372036854775808", "[]", "{}",
        "[\"a\"]", "{\"a\":1}", "\"-5\"", "\"99999999999999999999\"", "\"3600\"", "\"\"", "1E+30", "0.0000001",
    ];

    /// <summary>Token-endpoint answers: (status, body).</summary>
    public static IReadOnlyList<(int Status, string Body)> TokenResponses(int seed, int count)
    {
        var random = new Random(seed);
        var list = new List<(int, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var fields = new List<string>();
            AddField(random, fields, random.Next(2) == 0 ? "access_token" : random.Next(2) == 0 ? "accessToken" : "token");
            AddField(random, fields, random.Next(2) == 0 ? "refresh_token" : "refreshToken");
            AddField(random, fields, random.Next(2) == 0 ? "expires_in" : "expiresIn");
            AddField(random, fields, "token_type");
            AddField(random, fields, "scope");
            AddField(random, fields, "error");
            AddField(random, fields, "error_description");
            AddField(random, fields, "message");
            list.Add((Statuses[random.Next(Statuses.Length)], Wrap(random, fields)));
        }

        return list;
    }

    /// <summary>Account answers: (status, body).</summary>
    public static IReadOnlyList<(int Status, string Body)> AccountResponses(int seed, int count)
    {
        var random = new Random(seed);
        var list = new List<(int, string)>(count);
        for (var i = 0; i < count; i++)
        {
            var fields = new List<string>();
            foreach (var name in new[] { "id", "username", "email", "name", "plan", "disabled", "companyName", "company_name", "message" })
            {
                if (name == "plan" && random.Next(3) == 0)
                {
                    fields.Add($"\"plan\":{{\"type\":{Value(random)}}}");
                    continue;
                }

                AddField(random, fields, name);
            }

            list.Add((Statuses[random.Next(Statuses.Length)], Wrap(random, fields)));
        }

        return list;
    }

    private static void AddField(Random random, List<string> fields, string name)
    {
        switch (random.Next(5))
        {
            case 0:
                return; // missing
            case 1:
                fields.Add($"\"{name}\":{Value(random)}");
                fields.Add($"\"{name}\":{Value(random)}"); // duplicated
                return;
            default:
                fields.Add($"\"{name}\":{Value(random)}");
                return;
        }
    }

    private static string Value(Random random) => random.Next(3) switch
    {
        0 => OddValues[random.Next(OddValues.Length)],
        1 => Json(OddStrings[random.Next(OddStrings.Length)]),
        _ => Json("v" + random.Next(1_000_000).ToString(CultureInfo.InvariantCulture) + "-" + Convert.ToHexString(BitConverter.GetBytes(random.NextInt64()))),
    };

    private static string Wrap(Random random, List<string> fields)
    {
        var body = "{" + string.Join(',', fields) + "}";
        return random.Next(12) switch
        {
            0 => body[..(body.Length / 2)], // truncated
            1 => body + " trailing garbage",
            2 => "\uFEFF" + body, // BOM
            3 => "[" + body + "]",
            4 => new string('[', 3000) + new string(']', 3000),
            5 => string.Empty,
            6 => "<html><body>" + body + "</body></html>",
            _ => body,
        };
    }

    private static string Json(string value)
    {
        var builder = new StringBuilder("\"");
        foreach (var c in value)
        {
            builder.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                < ' ' => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.Append('"').ToString();
    }
}
