using System.Text;

namespace AspNet.Security.OAuth.EllipsisDrive.Tests.Hostile;

/// <summary>
/// A reproducible corpus of hostile callback requests, generated from one seed: random, malformed, duplicated,
/// oversized and wrongly encoded <c>code</c>, <c>state</c>, <c>error</c> and <c>error_description</c>; missing and
/// forged state and correlation cookies; and real state cookies (from a real challenge) paired with garbage.
/// </summary>
/// <remarks>
/// Every draw from the seeded <see cref="Random"/> happens while the corpus is generated, in order, so one seed
/// always yields the same requests; only the values a real challenge answers (its state and cookies) differ
/// between runs, and they are spliced into the same places.
/// </remarks>
internal static class CallbackCorpus
{
    /// <summary>The seed used unless <c>HOSTILE_SEED</c> names another.</summary>
    public const int DefaultSeed = 20_260_101;

    private const int Oversized = 64 * 1024;

    private static readonly string[] Injections =
    [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'; DROP TABLE sessions; --", "{\"access_token\":\"x\"}",
        "../../../etc/passwd", "%0d%0aSet-Cookie:%20evil=1", "%0d%0aLocation:%20https://evil.example/", "${jndi:ldap://x}", "{{7*7}}",
        "javascript:alert(1)", "https://evil.example/", "%252e%252e%252f", "null", "undefined", "true", "[]", "-1", "1e309",
    ];

    private static readonly string[] InvalidEscapes = ["%", "%Z", "%ZZ", "%2", "%%", "%G0", "%-1", "%u0041", "%%32%30", "%+", "%\u00e9"];

    private static readonly string[] InvalidUtf8 =
    [
        "%FF", "%FE%FF", "%C0%AF", "%E0%80%AF", "%ED%A0%80", "%F4%90%80%80", "%80", "%BF%BF", "%E0%A4", "%F0%9F%98", "%C3", "%F8%88%80%80%80",
    ];

    private static readonly string[] ControlChars =
    [
        "\0", "%00", "\r\n", "%0D%0A", "\u0001", "%01", "\u007F", "%7F", "\u001B[31m", "%1B%5B31m", "\u2028", "%E2%80%A8", "\t", "%09", "\u200B", "\uFEFF",
    ];

    private static readonly string[] Errors = ["access_denied", "invalid_request", "server_error", "temporarily_unavailable", "unauthorized_client", "invalid_scope", "ACCESS_DENIED", "access_denied ", " access_denied", "access%5Fdenied"];

    /// <summary>What a case needs from the application before it can be sent.</summary>
    public enum Needs
    {
        /// <summary>Nothing: it forges or omits the state.</summary>
        Nothing,

        /// <summary>One real challenge: its state and cookies.</summary>
        OneChallenge,

        /// <summary>Two real challenges: the state of one with (parts of) the cookies of the other.</summary>
        TwoChallenges,
    }

    /// <summary>The seed of this run: <c>HOSTILE_SEED</c> when set, else <see cref="DefaultSeed"/>.</summary>
    public static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_SEED"), out var seed) ? seed : DefaultSeed;

    /// <summary>Generates <paramref name="count"/> cases from <paramref name="seed"/>.</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="count">How many cases.</param>
    /// <returns>The cases, numbered from 0.</returns>
    public static IReadOnlyList<CallbackCase> Generate(int seed, int count)
    {
        var random = new Random(seed);
        var cases = new List<CallbackCase>(count);
        for (var i = 0; i < count; i++)
        {
            // About a quarter start from a real challenge: those reach the deepest code (correlation, state
            // cookie, token endpoint), the rest forge or omit the state.
            cases.Add(random.Next(4) == 0 ? WithRealState(random, i) : WithForgedState(random, i));
        }

        return cases;
    }

    private static CallbackCase WithForgedState(Random random, int index)
    {
        var parameters = new List<string>();
        var kind = new StringBuilder("forged:");

        var stateShape = random.Next(12);
        kind.Append("state=").Append(stateShape);
        switch (stateShape)
        {
            case 0:
                break; // no state at all
            case 1:
                parameters.Add("state=");
                break;
            case 2:
                parameters.Add("state=" + Base64Url(random, 32)); // well formed, never issued
                break;
            case 3:
                parameters.Add("state=" + Base64Url(random, 32));
                parameters.Add("state=" + Base64Url(random, 32));
                break;
            case 4:
                parameters.Add("state=" + new string('A', 51)); // one over the provider's column
                break;
            default:
                parameters.Add("state=" + HostileValue(random));
                break;
        }

        AddCallbackParameters(random, parameters, kind);

        var cookieShape = random.Next(8);
        kind.Append(";cookies=").Append(cookieShape);
        var forgedState = parameters.FirstOrDefault(p => p.StartsWith("state=", StringComparison.Ordinal))?["state=".Length..] ?? string.Empty;
        var cookieHeader = cookieShape switch
        {
            0 => null,
            1 => StateCookieFor(forgedState) + "=" + Base64Url(random, random.Next(1, 600)),
            2 => StateCookieFor(forgedState) + "=" + HostileValue(random) + "; .AspNetCore.Correlation." + Base64Url(random, 32) + "=N",
            3 => ".AspNetCore.Correlation." + Base64Url(random, 32) + "=N",
            4 => EllipsisDriveState.CookiePrefix + HostileValue(random) + "=" + HostileValue(random),
            5 => "a=" + new string('b', Oversized),
            6 => string.Join("; ", Enumerable.Range(0, random.Next(2, 40)).Select(_ => StateCookieFor(forgedState) + "=" + Base64Url(random, 40))),
            _ => HostileValue(random),
        };

        var method = random.Next(20) == 0 ? "POST" : random.Next(20) == 0 ? "HEAD" : "GET";
        var query = string.Join('&', Shuffle(random, parameters));
        return new CallbackCase(index, kind.ToString(), method, Needs.Nothing, DeniedAllowed: false, (_, _) => (query, cookieHeader));
    }

    private static CallbackCase WithRealState(Random random, int index)
    {
        var variant = random.Next(14);
        var garbage = random.Next(3) == 0 ? HostileValue(random) : Base64Url(random, random.Next(1, 64));
        var other = HostileValue(random);
        var description = random.Next(2) == 0 ? "&error_description=" + HostileValue(random) : string.Empty;
        var flipAt = random.Next(1000);
        var kind = "real:" + variant;

        (string Query, string? Cookies) Build(HostileApp.Challenge? first, HostileApp.Challenge? second)
        {
            var challenge = first!;
            var state = "state=" + challenge.State;
            var cookies = challenge.CookieHeader;
            return variant switch
            {
                0 => ($"code={garbage}&{state}", cookies), // reaches the token endpoint
                1 => ($"error=access_denied{description}&{state}", cookies), // the user said no
                2 => ($"error={other}{description}&{state}", cookies),
                3 => ($"code={garbage}&code={Base64Url(random: null, 32)}&{state}", cookies),
                4 => ($"code={garbage}&{state}", null), // the real state without its cookie
                5 => ($"code={garbage}&{state}", $"{challenge.StateCookieName}={Flip(challenge.StateCookieValue, flipAt)}"),
                6 => ($"code={garbage}&{state}", $"{challenge.StateCookieName}={second!.StateCookieValue}"), // another sign-in's cookie under this one's name
                7 => ($"code={garbage}&{state}", $"{challenge.StateCookieName}={challenge.StateCookieValue}; .AspNetCore.Correlation.{Base64Url(random: null, 32)}={other}"), // a forged correlation cookie beside the real one
                8 => ($"code={new string('c', Oversized)}&{state}", cookies),
                9 => (state + description, cookies),
                10 => ($"code={other}&{state}", cookies), // wrongly encoded code, still reaching the token endpoint when it decodes
                11 => ($"error=access_denied&error=access_denied&{state}", cookies),
                12 => ($"code={garbage}&{state}", cookies + "; pad=" + new string('p', Oversized)),
                _ => ($"error=access_denied&code={garbage}&{state}", cookies), // an error wins over a code
            };
        }

        var needs = variant == 6 ? Needs.TwoChallenges : Needs.OneChallenge;
        return new CallbackCase(index, kind, "GET", needs, DeniedAllowed: variant is 1 or 13, Build);
    }

    private static void AddCallbackParameters(Random random, List<string> parameters, StringBuilder kind)
    {
        var codeShape = random.Next(6);
        kind.Append(";code=").Append(codeShape);
        switch (codeShape)
        {
            case 0:
                break;
            case 1:
                parameters.Add("code=" + Base64Url(random, 32));
                break;
            case 2:
                parameters.Add("code=" + Base64Url(random, 32));
                parameters.Add("code=" + Base64Url(random, 32));
                break;
            default:
                parameters.Add("code=" + HostileValue(random));
                break;
        }

        var errorShape = random.Next(6);
        kind.Append(";error=").Append(errorShape);
        switch (errorShape)
        {
            case 0:
            case 1:
                break;
            case 2:
                parameters.Add("error=" + Errors[random.Next(Errors.Length)]);
                break;
            case 3:
                parameters.Add("error=" + Errors[random.Next(Errors.Length)]);
                parameters.Add("error=" + HostileValue(random));
                break;
            default:
                parameters.Add("error=" + HostileValue(random));
                break;
        }

        if (random.Next(3) == 0)
        {
            parameters.Add("error_description=" + HostileValue(random));
        }

        if (random.Next(8) == 0)
        {
            parameters.Add("error_uri=" + HostileValue(random));
        }

        if (random.Next(6) == 0)
        {
            // Parameter names and separators a parser may trip on.
            parameters.Add(random.Next(4) switch
            {
                0 => HostileValue(random) + "=" + HostileValue(random),
                1 => "&&&==&=",
                2 => "state",
                _ => "code",
            });
        }
    }

    /// <summary>One hostile value as it would stand in a query string (already %-encoded where it is meant to be).</summary>
    private static string HostileValue(Random random) => random.Next(11) switch
    {
        0 => string.Empty,
        1 => Uri.EscapeDataString(Printable(random, random.Next(1, 200))),
        2 => Mix(random, InvalidEscapes),
        3 => Mix(random, InvalidUtf8),
        4 => Mix(random, ControlChars),
        5 => random.Next(2) == 0 ? new string('x', Oversized) : Base64Url(random, Oversized * 3 / 4),
        6 => Uri.EscapeDataString("\u00e9\u4e2d\u0410\U0001F600\u202E\u0301") + "\u00e9\u4e2d", // encoded and raw non-ASCII
        7 => Injections[random.Next(Injections.Length)],
        8 => Base64Url(random, random.Next(2000, 3200)), // long, under the handler's code cap
        9 => string.Concat(Enumerable.Range(0, random.Next(1, 6)).Select(_ => Pick(random))),
        _ => Base64Url(random, 32) + Pick(random),
    };

    private static string Pick(Random random) => random.Next(4) switch
    {
        0 => InvalidEscapes[random.Next(InvalidEscapes.Length)],
        1 => InvalidUtf8[random.Next(InvalidUtf8.Length)],
        2 => ControlChars[random.Next(ControlChars.Length)],
        _ => Injections[random.Next(Injections.Length)],
    };

    private static string Mix(Random random, string[] pieces)
    {
        var builder = new StringBuilder();
        var n = random.Next(1, 8);
        for (var i = 0; i < n; i++)
        {
            builder.Append(random.Next(2) == 0 ? pieces[random.Next(pieces.Length)] : Base64Url(random, random.Next(1, 8)));
        }

        return builder.ToString();
    }

    private static string Printable(Random random, int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = (char)random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }

    /// <summary>Base64url text of <paramref name="bytes"/> random bytes; a <see langword="null"/> random uses a fixed filler (still unissued).</summary>
    private static string Base64Url(Random? random, int bytes)
    {
        var buffer = new byte[bytes];
        if (random is null)
        {
            Array.Fill(buffer, (byte)0x5A);
        }
        else
        {
            random.NextBytes(buffer);
        }

        return Convert.ToBase64String(buffer).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string StateCookieFor(string state) =>
        EllipsisDriveState.IsWellFormed(state) ? EllipsisDriveState.GetCookieName(state) : EllipsisDriveState.CookiePrefix + "x";

    private static string Flip(string value, int at)
    {
        var chars = value.ToCharArray();
        var i = at % chars.Length;
        chars[i] = chars[i] == 'A' ? 'B' : 'A';
        return new string(chars);
    }

    private static List<string> Shuffle(Random random, List<string> items)
    {
        var copy = new List<string>(items);
        for (var i = copy.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (copy[i], copy[j]) = (copy[j], copy[i]);
        }

        return copy;
    }
}

/// <summary>One hostile callback request.</summary>
/// <param name="Index">Its number in the corpus.</param>
/// <param name="Kind">What shape it has, for failure messages.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Needs">The real challenges it needs before it can be built.</param>
/// <param name="DeniedAllowed">Whether this case may end at the access-denied path (a real state with <c>error=access_denied</c>).</param>
/// <param name="Build">Builds the raw query and Cookie header from the real challenges it needs.</param>
internal sealed record CallbackCase(
    int Index,
    string Kind,
    string Method,
    CallbackCorpus.Needs Needs,
    bool DeniedAllowed,
    Func<HostileApp.Challenge?, HostileApp.Challenge?, (string Query, string? Cookies)> Build);
