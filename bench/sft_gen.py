"""Synthetic MEDEC-like pairs for bench/sft.sh (issue 14): `python bench/sft_gen.py N OUT.csv`.

Writes a CSV with exactly the published MEDEC MS CSV's columns and N flagged rows (Error Flag 1): a ~1 KB clinical
vignette in MEDEC's style (age, history, vitals, labs, a diagnosis or treatment sentence), one sentence of it swapped
for an erroneous one. Every row is distinct (its id and numbers), so no two requests are the same. Deterministic
(seeded by the row index): the 10k file is the first 10k rows of the 100k one.
"""
import csv
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sft_common import HEADER  # noqa: E402

SYMPTOMS = ["headaches", "nausea", "vomiting", "fever", "fatigue", "shortness of breath", "chest pain", "cough",
            "abdominal pain", "dizziness", "palpitations", "joint pain", "weight loss", "night sweats", "diarrhea",
            "blurred vision", "back pain", "lower extremity swelling", "dysuria", "a productive cough"]
PLACES = ["emergency department", "physician", "clinic", "urgent care center", "hospital"]
HISTORY = ["type 2 diabetes mellitus", "hypertension", "asthma", "hypothyroidism", "chronic kidney disease",
           "major depressive disorder", "atrial fibrillation", "rheumatoid arthritis", "HIV infection",
           "hyperlipidemia"]
DRUGS = ["metformin", "lisinopril", "albuterol", "levothyroxine", "sertraline", "warfarin", "methotrexate",
         "atorvastatin", "amlodipine", "omeprazole", "hydrochlorothiazide", "prednisone"]
FINDINGS = ["facial flushing and profuse sweating", "bilateral crackles at the lung bases",
            "tenderness in the right upper quadrant", "pitting edema of both ankles",
            "a holosystolic murmur at the apex", "dry mucous membranes and decreased skin turgor",
            "jugular venous distention", "a diffuse maculopapular rash", "decreased breath sounds on the left",
            "mild hepatomegaly"]
DIAGNOSES = [("Acute pyelonephritis", "Acute cystitis"), ("Community-acquired pneumonia", "Acute bronchitis"),
             ("Diabetic ketoacidosis", "Hyperosmolar hyperglycemic state"), ("Acute cholecystitis", "Acute pancreatitis"),
             ("Congestive heart failure", "Nephrotic syndrome"), ("Hyperthyroidism", "Pheochromocytoma"),
             ("Infective endocarditis", "Rheumatic fever"), ("Pulmonary embolism", "Pneumothorax")]
TREATMENTS = [("intravenous ceftriaxone", "oral amoxicillin"), ("subcutaneous insulin glargine", "oral glipizide"),
              ("intravenous heparin", "oral aspirin"), ("oral furosemide", "oral spironolactone"),
              ("intravenous vancomycin", "oral doxycycline"), ("oral propylthiouracil", "oral propranolol")]
ORGANISMS = [("Escherichia coli", "Klebsiella pneumoniae"), ("Streptococcus pneumoniae", "Haemophilus influenzae"),
             ("Staphylococcus aureus", "Staphylococcus epidermidis"), ("Neisseria gonorrhoeae", "Trichomonas vaginalis"),
             ("Clostridioides difficile", "Campylobacter jejuni")]


def row(i):
    r = random.Random(i * 7919 + 17)
    sex = r.choice(["woman", "man"])
    pron, poss = ("She", "Her") if sex == "woman" else ("He", "His")
    s1, s2, s3, s4 = r.sample(SYMPTOMS, 4)
    drug = r.choice(DRUGS)
    sentences = [
        f"A {r.randint(18, 89)}-year-old {sex} comes to the {r.choice(PLACES)} because of a {r.randint(2, 14)}-day "
        f"history of {s1}, {s2}, and {s3}.",
        f"During this time, {pron.lower()} has also had {s4}.",
        f"{pron} has a history of {r.choice(HISTORY)} treated with {drug} {r.choice([5, 10, 20, 25, 40, 50, 100])} mg "
        f"daily, and {r.choice(HISTORY)}.",
        f"{pron} smoked {r.randint(0, 2)} packs of cigarettes daily for {r.randint(0, 40)} years and drinks "
        f"{r.randint(0, 4)} glasses of wine per week.",
        f"{poss} temperature is {r.uniform(36.5, 39.9):.1f}\u00b0C, pulse is {r.randint(58, 128)}/min, respirations are "
        f"{r.randint(12, 28)}/min, and blood pressure is {r.randint(90, 170)}/{r.randint(55, 100)} mm Hg.",
        f"Physical examination shows {r.choice(FINDINGS)}.",
        f"Laboratory studies show a hemoglobin concentration of {r.uniform(8.5, 16.5):.1f} g/dL, a leukocyte count of "
        f"{r.randint(3, 22) * 500}/mm3, a platelet count of {r.randint(90, 450) * 1000}/mm3, serum sodium of "
        f"{r.randint(128, 146)} mEq/L, potassium of {r.uniform(3.0, 5.8):.1f} mEq/L, and creatinine of "
        f"{r.uniform(0.6, 3.2):.1f} mg/dL.",
        f"A urinalysis shows {r.randint(0, 50)} WBC/hpf and {r.randint(0, 20)} RBC/hpf.",
    ]
    kind = r.choice(["diagnosis", "management", "causalOrganism"])
    if kind == "diagnosis":
        right, wrong = r.choice(DIAGNOSES)
        correct, error = f"{right} is the most likely diagnosis.", f"{wrong} is the most likely diagnosis."
    elif kind == "management":
        right, wrong = r.choice(TREATMENTS)
        correct, error = f"{pron} is started on {right}.", f"{pron} is started on {wrong}."
    else:
        right, wrong = r.choice(ORGANISMS)
        correct, error = f"Culture tests indicate {right}.", f"Culture tests indicate {wrong}."
    sentences.append(f"{pron} is admitted to the ward for observation (case {i}).")
    at = r.randint(5, len(sentences))
    sentences.insert(at, error)
    text = " ".join(sentences) + " "
    corrected_sentences = list(sentences)
    corrected_sentences[at] = correct
    return [f"syn-{i}", text, "\n".join(f"{k} {s}" for k, s in enumerate(sentences)), "1", kind, str(at), error,
            correct, " ".join(corrected_sentences) + " "]


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    tmp = out + ".tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            w.writerow(row(i))
    os.replace(tmp, out)


if __name__ == "__main__":
    main()
