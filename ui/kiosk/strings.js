// SPDX-License-Identifier: GPL-3.0-or-later
// Every word the kiosk says, in Finnish, Swedish and English.  The refusal
// names (refusal_*) are queue_refusal_name() in firmware/queue.c; the
// check-in errors (checkin_*) are the error codes POST /api/checkin answers
// with (firmware/desk.c desk_checkin, mapped to HTTP in api.c).

export const STRINGS = {
  fi: {
    title: "Vuoronumero",
    languages: "Kieli",
    choose: "Valitse asiointi",
    choose_hint: "Kosketa palvelua, niin saat vuoronumeron.",
    appointment_button: "Minulla on ajanvaraus",
    waiting_est: "{n} odottaa · noin {min} min",
    waiting_none: "Ei jonoa",
    video: "Palvelu videoyhteydellä etäpalvelupisteessä",
    refusal_closed_today: "Suljettu tänään",
    refusal_not_yet_open: "Avautuu klo {time}",
    refusal_not_yet_open_any: "Ei vielä auki",
    refusal_closed_for_day: "Suljettu tältä päivältä",
    refusal_last_ticket_any: "Ei enää vuoronumeroita tänään",
    refusal_last_ticket: "Ei enää vuoronumeroita tänään: viimeinen annetaan {min} min ennen sulkemista, klo {time}",
    refusal_full: "Jono on täynnä – kysy neuvontapisteestä",
    refusal_refused: "Ei juuri nyt käytettävissä – kysy neuvontapisteestä",
    refused_title: "Vuoronumeroa ei voitu antaa",
    busy_drawing: "Vuoronumeroasi tulostetaan…",
    your_number: "Vuoronumerosi",
    ahead_n: "{n} asiakasta edelläsi",
    ahead_1: "1 asiakas edelläsi",
    ahead_0: "Ei ketään edelläsi – sinut kutsutaan pian",
    wait_est: "Arvioitu odotusaika noin {min} min",
    take_ticket: "Ota vuorolappusi tulostimesta alta",
    printer_failed_title: "Tulostin ei toiminut",
    printer_failed: "Vuorolappua ei voitu tulostaa, mutta vuoronumerosi on voimassa. Muista numero {code}, tai seuraa vuoroasi puhelimella: lue QR-koodi tai avaa osoite.",
    no_printer_title: "Tässä ei ole tulostinta",
    no_printer: "Vuoronumerosi on voimassa. Muista numero {code}, tai seuraa vuoroasi puhelimella: lue QR-koodi tai avaa osoite.",
    qr_alt: "QR-koodi: vuoronumeron seurantasivun osoite",
    follow_url: "Seurantasivu:",
    called_on_screens: "Numerosi näkyy näytöillä, kun on vuorosi.",
    video_confirm: "Sinua palvellaan videoyhteydellä etäpalvelupisteessä. Odota, että numerosi kutsutaan.",
    appointment_ok: "Ajanvarauksesi (koodi {code}) on kirjattu saapuneeksi.",
    done: "Valmis",
    back: "Takaisin",
    handout_failed: "Vuoronumeroa {code} ei voitu antaa. Kysy neuvontapisteestä.",
    voided: "Tulostin ei toiminut, eikä vuoronumeroa voitu antaa. Kysy neuvontapisteestä.",
    // Check-in
    checkin_title: "Ajanvarauksen vahvistus",
    checkin_hint: "Kirjoita varausvahvistuksessasi oleva varauskoodi.",
    code_label: "Varauskoodi",
    key_delete: "Poista merkki",
    key_clear: "Tyhjennä",
    checkin_submit: "Vahvista saapuminen",
    checkin_busy: "Tarkistetaan…",
    checkin_empty: "Kirjoita ensin varauskoodi.",
    checkin_not_found: "Varauskoodia {code} ei löytynyt. Tarkista koodi varausvahvistuksesta, tai ota tavallinen vuoronumero.",
    checkin_already: "Varaus {code} on jo kirjattu saapuneeksi. Seuraa aiemmin saamaasi vuoronumeroa.",
    checkin_wrong_state: "Varaus {code} on peruttu. Ota tavallinen vuoronumero tai varaa uusi aika.",
    checkin_wrong_day: "Varaus {code} on ajalle {when}, ei tälle päivälle. Tule silloin, tai ota tavallinen vuoronumero.",
    checkin_wrong_day_any: "Varaus {code} ei ole tälle päivälle. Tarkista aika varausvahvistuksesta, tai ota tavallinen vuoronumero.",
    // Errors and the connection
    error_unreachable: "Yhteys vuoronumerojärjestelmään katkesi. Yritä hetken päästä uudelleen tai kysy neuvontapisteestä.",
    error_forbidden: "Tämä laite ei saa antaa vuoronumeroita. Kysy neuvontapisteestä.",
    error_generic: "Jokin meni vikaan. Yritä uudelleen tai kysy neuvontapisteestä.",
    offline: "Yhteys katkennut – vuoronumeroita ei voi juuri nyt ottaa. Odota hetki tai kysy neuvontapisteestä.",
    // Idle
    idle_title: "Oletko vielä siellä?",
    idle_text: "Kosketa näyttöä jatkaaksesi. Muuten palataan alkuun {s} sekunnin kuluttua.",
    idle_continue: "Jatka",
  },
  sv: {
    title: "Kölapp",
    languages: "Språk",
    choose: "Välj ärende",
    choose_hint: "Tryck på en tjänst för att få en kölapp.",
    appointment_button: "Jag har en bokad tid",
    waiting_est: "{n} väntar · cirka {min} min",
    waiting_none: "Ingen kö",
    video: "Betjänas via video i distansservicebåset",
    refusal_closed_today: "Stängt i dag",
    refusal_not_yet_open: "Öppnar kl. {time}",
    refusal_not_yet_open_any: "Inte öppet ännu",
    refusal_closed_for_day: "Stängt för i dag",
    refusal_last_ticket_any: "Inga fler kölappar i dag",
    refusal_last_ticket: "Inga fler kölappar i dag: den sista ges {min} min före stängning, kl. {time}",
    refusal_full: "Kön är full – fråga vid informationen",
    refusal_refused: "Inte tillgängligt just nu – fråga vid informationen",
    refused_title: "Ingen kölapp kunde ges",
    busy_drawing: "Din kölapp skrivs ut…",
    your_number: "Ditt könummer",
    ahead_n: "{n} personer före dig",
    ahead_1: "1 person före dig",
    ahead_0: "Ingen före dig – du blir snart uppropad",
    wait_est: "Beräknad väntetid cirka {min} min",
    take_ticket: "Ta din kölapp ur skrivaren nedanför",
    printer_failed_title: "Skrivaren fungerade inte",
    printer_failed: "Kölappen kunde inte skrivas ut, men ditt könummer gäller. Kom ihåg numret {code}, eller följ din tur på telefonen: läs QR-koden eller öppna adressen.",
    no_printer_title: "Här finns ingen skrivare",
    no_printer: "Ditt könummer gäller. Kom ihåg numret {code}, eller följ din tur på telefonen: läs QR-koden eller öppna adressen.",
    qr_alt: "QR-kod: adressen till sidan där du följer ditt könummer",
    follow_url: "Följ din tur:",
    called_on_screens: "Ditt nummer visas på skärmarna när det är din tur.",
    video_confirm: "Du betjänas via video i distansservicebåset. Vänta tills ditt nummer ropas upp.",
    appointment_ok: "Din bokning (kod {code}) är registrerad som anländ.",
    done: "Klar",
    back: "Tillbaka",
    handout_failed: "Könumret {code} kunde inte ges. Fråga vid informationen.",
    voided: "Skrivaren fungerade inte och ingen kölapp kunde ges. Fråga vid informationen.",
    checkin_title: "Anmäl din ankomst",
    checkin_hint: "Skriv bokningskoden från din bokningsbekräftelse.",
    code_label: "Bokningskod",
    key_delete: "Radera tecken",
    key_clear: "Töm",
    checkin_submit: "Anmäl ankomst",
    checkin_busy: "Kontrollerar…",
    checkin_empty: "Skriv först bokningskoden.",
    checkin_not_found: "Bokningskoden {code} hittades inte. Kontrollera koden i bokningsbekräftelsen, eller ta en vanlig kölapp.",
    checkin_already: "Bokningen {code} är redan anmäld. Följ den kölapp du redan fått.",
    checkin_wrong_state: "Bokningen {code} har avbokats. Ta en vanlig kölapp eller boka en ny tid.",
    checkin_wrong_day: "Bokningen {code} gäller {when}, inte i dag. Kom tillbaka då, eller ta en vanlig kölapp.",
    checkin_wrong_day_any: "Bokningen {code} gäller inte i dag. Kontrollera tiden i bokningsbekräftelsen, eller ta en vanlig kölapp.",
    error_unreachable: "Förbindelsen till kösystemet bröts. Försök igen om en stund eller fråga vid informationen.",
    error_forbidden: "Den här apparaten får inte ge kölappar. Fråga vid informationen.",
    error_generic: "Något gick fel. Försök igen eller fråga vid informationen.",
    offline: "Förbindelsen är bruten – det går inte att ta kölappar just nu. Vänta en stund eller fråga vid informationen.",
    idle_title: "Är du kvar?",
    idle_text: "Tryck på skärmen för att fortsätta. Annars återgår vi till början om {s} sekunder.",
    idle_continue: "Fortsätt",
  },
  en: {
    title: "Queue ticket",
    languages: "Language",
    choose: "Choose your service",
    choose_hint: "Touch a service to get a queue number.",
    appointment_button: "I have an appointment",
    waiting_est: "{n} waiting · about {min} min",
    waiting_none: "No queue",
    video: "Served by video in the remote-service booth",
    refusal_closed_today: "Closed today",
    refusal_not_yet_open: "Opens at {time}",
    refusal_not_yet_open_any: "Not open yet",
    refusal_closed_for_day: "Closed for the day",
    refusal_last_ticket_any: "No more tickets today",
    refusal_last_ticket: "No more tickets today: the last ticket is given {min} min before closing, at {time}",
    refusal_full: "The queue is full – please ask at the information desk",
    refusal_refused: "Not available right now – please ask at the information desk",
    refused_title: "No ticket could be given",
    busy_drawing: "Printing your ticket…",
    your_number: "Your number",
    ahead_n: "{n} people ahead of you",
    ahead_1: "1 person ahead of you",
    ahead_0: "Nobody ahead of you – you will be called soon",
    wait_est: "Estimated wait about {min} min",
    take_ticket: "Take your ticket from the printer below",
    printer_failed_title: "The printer did not work",
    printer_failed: "Your ticket could not be printed, but your number is valid. Remember the number {code}, or follow your turn on your phone: scan the QR code or open the address.",
    no_printer_title: "There is no printer here",
    no_printer: "Your number is valid. Remember the number {code}, or follow your turn on your phone: scan the QR code or open the address.",
    qr_alt: "QR code: the address of the page that follows your number",
    follow_url: "Follow your turn:",
    called_on_screens: "Your number appears on the screens when it is your turn.",
    video_confirm: "You will be served by video in the remote-service booth. Wait until your number is called.",
    appointment_ok: "Your appointment (code {code}) is checked in.",
    done: "Done",
    back: "Back",
    handout_failed: "Number {code} could not be given. Please ask at the information desk.",
    voided: "The printer did not work and no ticket could be given. Please ask at the information desk.",
    checkin_title: "Check in for your appointment",
    checkin_hint: "Type the booking code from your booking confirmation.",
    code_label: "Booking code",
    key_delete: "Delete a character",
    key_clear: "Clear",
    checkin_submit: "Check in",
    checkin_busy: "Checking…",
    checkin_empty: "Type the booking code first.",
    checkin_not_found: "Booking code {code} was not found. Check the code in your booking confirmation, or take an ordinary ticket.",
    checkin_already: "Booking {code} is already checked in. Follow the ticket you were given.",
    checkin_wrong_state: "Booking {code} was cancelled. Take an ordinary ticket or book a new time.",
    checkin_wrong_day: "Booking {code} is for {when}, not today. Come back then, or take an ordinary ticket.",
    checkin_wrong_day_any: "Booking {code} is not for today. Check the time in your booking confirmation, or take an ordinary ticket.",
    error_unreachable: "The queue system cannot be reached. Try again in a moment or ask at the information desk.",
    error_forbidden: "This device may not give tickets. Please ask at the information desk.",
    error_generic: "Something went wrong. Try again or ask at the information desk.",
    offline: "Connection lost – tickets cannot be drawn right now. Please wait a moment or ask at the information desk.",
    idle_title: "Still there?",
    idle_text: "Touch the screen to continue. Otherwise we go back to the start in {s} seconds.",
    idle_continue: "Continue",
  },
};

// A minute of the day (opens_min, closes_min from /api/status) as people
// write it: "08.00" in Finnish and Swedish, "08:00" in English.
export function clock(min, lang = "en") {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return String(h).padStart(2, "0") + (lang === "en" ? ":" : ".") + String(m).padStart(2, "0");
}

// The words for a service that cannot be drawn now (s: a service of
// GET /api/status, or the same names after a refused POST).
export function refusalText(t, refusal, s = {}) {
  const lang = t.lang();
  const known = (m) => Number.isInteger(m) && m >= 0;
  switch (refusal) {
    case "closed_today":
      return t("refusal_closed_today");
    case "not_yet_open":
      return known(s.opens_min) ? t("refusal_not_yet_open", { time: clock(s.opens_min, lang) })
        : t("refusal_not_yet_open_any");
    case "closed_for_day":
      return t("refusal_closed_for_day");
    case "last_ticket":
      return known(s.closes_min) && known(s.last_ticket_min)
        ? t("refusal_last_ticket", {
          min: s.last_ticket_min,
          time: clock(s.closes_min - s.last_ticket_min, lang),
        })
        : t("refusal_last_ticket_any");
    case "full":
      return t("refusal_full");
    default:
      return t("refusal_refused");
  }
}
