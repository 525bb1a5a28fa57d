// ReportRendering/HTMLPage: the page shell of the capture diff's HTML (head, inline style, body).
import SkewAnalysis

extension HTMLReport {
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>\(Escaping.html(title))</title>
        <style>
        body{font-family:system-ui,sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
        table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:.2em .5em;overflow-wrap:anywhere}
        th{background:#f3f3f3}td.r,th.r{text-align:right}p.explanation{font-size:1.15em}
        </style>
        </head>
        <body>

        """ + body + "</body>\n</html>\n"
    }
}
