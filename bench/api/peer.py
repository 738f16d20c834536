"""Peer for bench/api/run: the two benchmarked routes written in the original's stack
(FastAPI + SQLAlchemy + SQLite, Debian python3-fastapi python3-sqlalchemy python3-uvicorn,
run with /usr/bin/python3), reading the SAME SQLite file the C backend wrote and answering
the SAME JSON:

  GET /api/v1/jobs?limit&offset          open jobs, newest first, with total/next_offset
  GET /api/v1/applications/{id}          bearer JWT (HS256, exp checked by PyJWT), the
                                         caller's membership checked, stages included

It is deliberately straightforward idiomatic FastAPI/SQLAlchemy (ORM session per request),
as the system we replace was written; no cache, one uvicorn worker.

usage: /usr/bin/python3 peer.py DB_PATH PORT JWT_SECRET
"""
import json
import sys
import time
from datetime import datetime, timezone

import jwt
import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException
from sqlalchemy import Column, Float, ForeignKey, Integer, String, create_engine, select
from sqlalchemy.orm import Session, declarative_base, relationship, sessionmaker

DB, PORT, SECRET = sys.argv[1], int(sys.argv[2]), sys.argv[3]
engine = create_engine(f"sqlite:///{DB}", connect_args={"check_same_thread": False})
SessionLocal = sessionmaker(bind=engine)
Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    name = Column(String)
    role = Column(String)
    token_version = Column(Integer)


class Company(Base):
    __tablename__ = "companies"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Membership(Base):
    __tablename__ = "memberships"
    user_id = Column(Integer, ForeignKey("users.id"), primary_key=True)
    company_id = Column(Integer, ForeignKey("companies.id"), primary_key=True)
    role = Column(String)


class Job(Base):
    __tablename__ = "job_posts"
    id = Column(Integer, primary_key=True)
    company_id = Column(Integer, ForeignKey("companies.id"))
    title = Column(String)
    description = Column(String)
    qualifications = Column(String)
    conditions = Column(String)
    location = Column(String)
    employment_type = Column(String)
    headcount = Column(Integer)
    opens_at = Column(Integer)
    closes_at = Column(Integer)
    stages_json = Column(String)
    created_at = Column(Integer)
    updated_at = Column(Integer)
    company = relationship(Company)


class Application(Base):
    __tablename__ = "applications"
    id = Column(Integer, primary_key=True)
    job_id = Column(Integer, ForeignKey("job_posts.id"))
    applicant_id = Column(Integer, ForeignKey("users.id"))
    resume_id = Column(Integer)
    current_stage = Column(String)
    status = Column(String)
    created_at = Column(Integer)
    updated_at = Column(Integer)
    job = relationship(Job)
    applicant = relationship(User)


class Stage(Base):
    __tablename__ = "application_stages"
    id = Column(Integer, primary_key=True)
    application_id = Column(Integer, ForeignKey("applications.id"))
    stage = Column(String)
    position = Column(Integer)
    status = Column(String)
    score = Column(Float)
    reason = Column(String)
    decided_by = Column(Integer, ForeignKey("users.id"))
    decided_at = Column(Integer)
    entered_at = Column(Integer)
    decider = relationship(User)


def iso(t):
    if t is None:
        return None
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def db():
    s = SessionLocal()
    try:
        yield s
    finally:
        s.close()


app = FastAPI()


@app.get("/api/v1/jobs")
def list_jobs(limit: int = 20, offset: int = 0, s: Session = Depends(db)):
    if not 1 <= limit <= 100 or offset < 0:
        raise HTTPException(400, "bad paging")
    now = int(time.time())
    q = s.query(Job).filter(Job.opens_at <= now, Job.closes_at > now)
    total = q.count()
    rows = q.order_by(Job.opens_at.desc(), Job.id.desc()).limit(limit).offset(offset).all()
    items = []
    for j in rows:
        status = "scheduled" if now < j.opens_at else "closed" if now >= j.closes_at else "open"
        items.append({
            "id": j.id, "company_id": j.company_id, "company_name": j.company.name,
            "title": j.title, "description": j.description,
            "qualifications": j.qualifications, "conditions": j.conditions,
            "location": j.location, "employment_type": j.employment_type,
            "headcount": j.headcount, "opens_at": iso(j.opens_at), "closes_at": iso(j.closes_at),
            "stages": [st["name"] for st in json.loads(j.stages_json)],
            "created_at": iso(j.created_at), "updated_at": iso(j.updated_at), "status": status,
        })
    nxt = offset + limit
    return {"items": items, "total": total, "limit": limit, "offset": offset,
            "next_offset": nxt if nxt < total else None}


def current_user(authorization: str = Header(None), s: Session = Depends(db)):
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "sign in first")
    try:
        claims = jwt.decode(authorization[7:], SECRET, algorithms=["HS256"], issuer="kocruit")
    except jwt.PyJWTError as e:
        raise HTTPException(401, str(e))
    if claims.get("typ") != "access":
        raise HTTPException(401, "not an access token")
    u = s.get(User, int(claims["sub"]))
    if u is None or u.token_version != claims.get("ver"):
        raise HTTPException(401, "revoked")
    mems = s.execute(select(Membership).where(Membership.user_id == u.id)).scalars().all()
    return u, {m.company_id: m.role for m in mems}


@app.get("/api/v1/applications/{app_id}")
def application(app_id: int, who=Depends(current_user), s: Session = Depends(db)):
    user, mems = who
    a = s.get(Application, app_id)
    if a is None:
        raise HTTPException(404, "no such application")
    role = mems.get(a.job.company_id)
    if role not in ("manager", "recruiter"):
        raise HTTPException(404, "no such application")
    stages = s.query(Stage).filter(Stage.application_id == a.id).order_by(Stage.position).all()
    return {
        "id": a.id, "job_id": a.job_id, "job_title": a.job.title,
        "company_id": a.job.company_id, "company_name": a.job.company.name,
        "applicant_id": a.applicant_id, "applicant_name": a.applicant.name,
        "applicant_email": a.applicant.email, "resume_id": a.resume_id,
        "current_stage": a.current_stage, "status": a.status,
        "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
        "stages": [{
            "stage": st.stage, "position": st.position, "status": st.status, "score": st.score,
            "reason": st.reason, "decided_by": st.decided_by,
            "decided_by_name": st.decider.name if st.decider else None,
            "decided_at": iso(st.decided_at), "entered_at": iso(st.entered_at),
        } for st in stages],
        "access": "recruiter",
    }


if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=PORT, log_level="warning", access_log=False)
