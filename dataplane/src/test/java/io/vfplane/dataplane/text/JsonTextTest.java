package io.vfplane.dataplane.text;

import org.junit.jupiter.api.Test;

import io.vfplane.dataplane.testsupport.MiniJson;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonTextTest
{
    @Test
    void shouldEscapeQuotesBackslashesAndControlCharactersSoAStrictReaderGetsTheTextBack()
    {
        final String text = "a \"quoted\" \\ path\n\ttab\r\u0001end";
        assertEquals("\"a \\\"quoted\\\" \\\\ path\\n\\ttab\\r\\u0001end\"", JsonText.quote(text));
        assertEquals(text, MiniJson.parse(JsonText.quote(text)));
        assertEquals("[\"x\"", JsonText.appendQuoted(new StringBuilder("["), "x").toString());
    }
}
