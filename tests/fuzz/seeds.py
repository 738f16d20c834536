#!/usr/bin/env python3
"""seeds.py TARGET DIR — write a seed corpus (valid examples of the target's input) into DIR.

The seeds are generated, never committed: small resumes in Korean and English, job-post and
sections JSON, HTTP requests of every body mode, configuration environments, signed JWTs
(same fixed key as fuzz_jwt.c) and PDFs made with pango-view (plus one uncompressed PDF, whose
text operators survive mutation better than cairo's compressed streams).
"""
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile

RESUME_KO = """홍길동
경력 사항
ABC 주식회사 백엔드 개발자 2019.03 ~ 현재
- C와 PostgreSQL로 분산 시스템을 개발했습니다.
- Linux 서버 운영, 장애 대응 시간을 40% 줄였습니다.
XYZ 2016년 3월 - 2019년 2월 인턴
학력
한국대학교 컴퓨터공학과 2012.03 - 2016.02 졸업
기술: C, Python, SQL, Redis
자격증
정보처리기사 2017.05
수상 경력
교내 해커톤 대상 2015
"""
RESUME_EN = """Jane Doe
Work Experience
Senior Engineer, Acme Corp  Mar 2018 - Present
* Built a C17 HTTP service on libmicrohttpd; SEO and content marketing for launch.
Engineer, Beta Inc  2015-01 ~ 2018-02
Education
B.Sc. Computer Science, State University 2011 - 2015
Skills: C, PostgreSQL, Linux, Google Ads
Certificates: AWS SAA (2020-06)
Projects
kocruit (2021.01 ~ 2021.12) hiring platform
"""
JOB = {"company_id": 1, "title": "백엔드 개발자", "description": "C와 Linux 서버 개발",
       "qualifications": "3년 이상", "conditions": "정규직", "location": "서울",
       "employment_type": "full_time", "headcount": 2,
       "opens_at": "2026-11-01", "closes_at": "2026-12-31T18:00:00Z",
       "stages": [{"name": "screening"}, {"name": "interview"}, {"name": "offer"}],
       "criteria": [{"name": "backend", "weight": 1.0, "keywords": ["C", "PostgreSQL"],
                     "required": ["Linux"]}],
       "questions": [{"text": "가장 어려웠던 장애 대응 경험은?"}]}
SECTIONS = {"education": [{"title": "한국대학교", "start": "2012-03", "end": "2016-02",
                           "current": False, "details": ["컴퓨터공학"]}],
            "experience": [{"title": "ABC", "start": "2019-03", "end": None, "current": True,
                            "details": ["C 개발"]}],
            "projects": [], "skills": ["C", "SQL"],
            "certificates": [{"name": "정보처리기사", "date": "2017-05"}],
            "awards": [{"name": "대상", "date": "2015"}], "other": []}
JWT_KEY = b"kocruit-fuzz-key-0123456789abcde"


def write(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def http_req(method, target, headers=(), body=b""):
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"] + list(headers)
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def seeds_http(d):
    j = json.dumps({"name": "홍길동", "n": 3}, ensure_ascii=False)
    ct = "Content-Type: application/json"
    b = "----kcfuzzB"
    mp = (f"--{b}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n메모\r\n"
          f"--{b}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cv.pdf\"\r\n"
          f"Content-Type: application/pdf\r\n\r\n%PDF-1.4 body\r\n--{b}--\r\n")
    write(d, "get_param", http_req("GET", "/api/v1/jobs/12?q=a%20b&page=2"))
    write(d, "get_nested", http_req("GET", "/api/v1/jobs/%ED%95%9C/stages/x%2Fy?q=%"))
    write(d, "get_list", http_req("GET", "/api/v1/jobs?q=+%EA%B0%80&&=&page"))
    write(d, "post_json", http_req("POST", "/api/v1/jobs", [ct], j))
    write(d, "put_json", http_req("PUT", "/api/v1/jobs/7", [ct], j))
    write(d, "upload", http_req("POST", "/api/v1/resumes",
                                [f"Content-Type: multipart/form-data; boundary={b}"], mp))
    write(d, "chunked", b"POST /api/v1/jobs HTTP/1.1\r\nHost: x\r\n" + ct.encode() +
          b"\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"nam\r\n0\r\n\r\n")
    write(d, "delete", http_req("DELETE", "/api/v1/jobs/1"))
    write(d, "options", http_req("OPTIONS", "/api/v1/jobs/1"))
    write(d, "head", http_req("HEAD", "/api/v1/jobs"))
    write(d, "pipelined", http_req("GET", "/api/v1/jobs/1") + http_req("GET", "/nope/x"))


def seeds_json(d):
    write(d, "obj", json.dumps({"email": "a@b.kr", "password": "pw", "title": "제목",
                                "headcount": 3, "weight": 0.5, "threshold": 101,
                                "active": True, "status": "open", "stage": None, "x": [1]},
                               ensure_ascii=False))
    write(d, "types", '{"email":1,"headcount":1e300,"weight":"x","active":0,"status":"Open"}')
    write(d, "long", json.dumps({"title": "가" * 40, "headcount": -6, "": "", "x": {}}))


def seeds_config(d):
    write(d, "full", "\n".join([
        "KOCRUIT_BACKEND_PORT=8000", "KOCRUIT_AGENT_PORT=8001", "KOCRUIT_VIDEO_PORT=8002",
        "KOCRUIT_REDIS_URL=redis://:secret@127.0.0.1:6379/2", "KOCRUIT_DB=sqlite:./var/x.db",
        "KOCRUIT_DATA_DIR=~/var", "KOCRUIT_ASSETS=~/", "KOCRUIT_HTTP_THREADS=4",
        "KOCRUIT_WORKERS=2", "KOCRUIT_LOG_LEVEL=debug",
        "KOCRUIT_JWT_SECRET=0123456789abcdef0123456789abcdef",
        "KOCRUIT_INTERNAL_TOKEN=tok-tok-tok-tok-tok-tok",
        "KOCRUIT_AGENT_URL=http://127.0.0.1:8001/", "KOCRUIT_SMTP_URL=smtps://u:p@mail:465",
        "KOCRUIT_SMTP_FROM=hr@example.kr", "KOCRUIT_LLM_PROVIDER=openai",
        "KOCRUIT_UNKNOWN=1", "HOME=/root"]))
    write(d, "bad", "KOCRUIT_BACKEND_PORT=abc\nKOCRUIT_DB=postgres://u:p@h/db\n"
          "KOCRUIT_REDIS_URL=redis://h:99999\nKOCRUIT_AGENT_PORT=8000")


def seeds_backend(d):
    write(d, "resume_ko", RESUME_KO)
    write(d, "resume_en", RESUME_EN)
    write(d, "job", json.dumps(JOB, ensure_ascii=False))
    write(d, "sections", json.dumps(SECTIONS, ensure_ascii=False))
    write(d, "fields", "user@example.kr\nCorrect-Horse-9\n2026-11-26T10:00:00Z\n2026-02-30\n"
          "cv.pdf\n../etc/passwd\n42\n" + "a" * 64 + "\ninterview\n")
    write(d, "pdf", "%PDF-1.4\n%\xe2\xe3\n")


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def seeds_jwt(d):
    claims = {"iss": "kocruit", "sub": "7", "typ": "access", "role": "recruiter",
              "iat": 1789999000, "ver": 1, "exp": 1790003600}
    p = json.dumps(claims).encode()
    write(d, "claims", b"\x01" + p)
    write(d, "claims_bad", b"\x01" + json.dumps(dict(claims, sub="-1", exp="x")).encode())
    for alg in ("HS256", "none", "HS512"):
        h = b64u(json.dumps({"alg": alg, "typ": "JWT"}).encode()) + b"." + b64u(p)
        sig = b64u(hmac.new(JWT_KEY, h, hashlib.sha256).digest()) if alg != "none" else b""
        write(d, "token_" + alg, b"\x00" + h + b"." + sig)


def plain_pdf(text):
    stream = "BT /F1 12 Tf 72 720 Td (" + text + ") Tj ET"
    objs = ["<< /Type /Catalog /Pages 2 0 R >>", "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            "/Resources << /Font << /F1 5 0 R >> >> >>",
            f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offs = "%PDF-1.4\n", []
    for i, o in enumerate(objs, 1):
        offs.append(len(out))
        out += f"{i} 0 obj\n{o}\nendobj\n"
    x = len(out)
    out += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{o:010d} 00000 n \n" for o in offs)
    out += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{x}\n%%EOF\n"
    return out


def seeds_pdf(d):
    write(d, "plain.pdf", plain_pdf("Senior Engineer 2018 - Present C PostgreSQL"))
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("ko", RESUME_KO), ("en", RESUME_EN)):
            src = os.path.join(tmp, name + ".txt")
            with open(src, "w", encoding="utf-8") as f:
                f.write(text)
            subprocess.run(["pango-view", "--no-display", f"--output={d}/{name}.pdf", src],
                           check=True, capture_output=True)


def seeds_agent(d):
    write(d, "resume_ko", RESUME_KO)
    write(d, "resume_en", RESUME_EN)
    write(d, "dates", "2019.3 ~ 2021.12\n2019년 3월 - 현재\nMar 2018 – Present\n"
          "2020-01~2019-05\n2030.01 ~ 현재\n")


SEEDERS = {"http": seeds_http, "json_fields": seeds_json, "config": seeds_config,
           "backend_input": seeds_backend, "jwt": seeds_jwt, "pdftext": seeds_pdf,
           "agent_text": seeds_agent}


def main():
    target, d = sys.argv[1], sys.argv[2]
    os.makedirs(d, exist_ok=True)
    SEEDERS[target](d)


if __name__ == "__main__":
    main()
