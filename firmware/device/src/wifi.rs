//! The board's network: WiFi through esp-radio, as a station of the network in the
//! settings. Owns the radio, the connect loop with its backoff and the RSSI the telemetry
//! reports; gives embassy-net the interface.

use alloc::format;
use alloc::string::String;
use core::sync::atomic::{AtomicI32, Ordering};

use embassy_executor::Spawner;
use embassy_time::Timer;
use esp_hal::peripherals::WIFI;
use esp_hal::rng::Rng;
use esp_radio::wifi::sta::StationConfig;
use esp_radio::wifi::{
    AuthenticationMethodConfig, Config as WifiConfig, ConnectionError, ControllerConfig,
    DisconnectReason, Interface, WifiController,
};
use thingflash_connection::backoff::Backoff;
use thingflash_protocol::config::DeviceConfig;
use thingflash_protocol::event::{Event, Stage};

use crate::say;

/// What embassy-net drives.
pub type Device = Interface;

/// Last RSSI seen (dBm; 0 = not associated).
static RSSI: AtomicI32 = AtomicI32::new(0);

/// The signal while associated.
pub fn rssi() -> Option<i16> {
    match RSSI.load(Ordering::Relaxed) {
        0 => None,
        r => Some(r as i16),
    }
}

/// Whether the station is associated with its access point.
pub fn linked() -> bool {
    rssi().is_some()
}

/// Start the radio as a station of the configured network and keep it joined; `None`
/// (reported) when the radio does not start.
pub fn start(spawner: &Spawner, wifi: WIFI<'static>, config: &DeviceConfig) -> Option<Device> {
    let station = StationConfig::default()
        .with_ssid(config.wifi_ssid.as_str().try_into().unwrap_or_default())
        .with_authentication(if config.wifi_password.is_empty() {
            AuthenticationMethodConfig::Open
        } else {
            AuthenticationMethodConfig::WpaWpa2Personal(
                config.wifi_password.as_str().try_into().unwrap_or_default(),
            )
        });
    let controller = match WifiController::new(
        wifi,
        ControllerConfig::default().with_initial_config(WifiConfig::Station(station)),
    ) {
        Ok(c) => c,
        Err(e) => {
            say(&Event::WifiFailed {
                reason: 0,
                detail: format!("the radio did not start: {e}").into(),
            });
            return None;
        }
    };
    spawner.spawn(
        wifi_task(controller, config.wifi_ssid.clone(), Rng::new())
            .unwrap_or_else(|e| panic!("wifi task: {e:?}")),
    );
    Some(Interface::station())
}

/// A disconnect reason as ESP-IDF numbers and names it (`wifi_err_reason_t`, the numbers
/// esp-radio's `DisconnectReason::from_raw` reads): what `wifi.failed` and
/// `wifi.disconnected` carry, and what the app's table explains. A reason a later esp-radio
/// adds is 0, WIFI_REASON_UNKNOWN.
fn reason(r: DisconnectReason) -> (u16, &'static str) {
    match r {
        DisconnectReason::Unspecified => (1, "WIFI_REASON_UNSPECIFIED"),
        DisconnectReason::AuthenticationExpired => (2, "WIFI_REASON_AUTH_EXPIRE"),
        DisconnectReason::AuthenticationLeave => (3, "WIFI_REASON_AUTH_LEAVE"),
        DisconnectReason::DisassociatedDueToInactivity => {
            (4, "WIFI_REASON_DISASSOC_DUE_TO_INACTIVITY")
        }
        DisconnectReason::AssociationTooMany => (5, "WIFI_REASON_ASSOC_TOOMANY"),
        DisconnectReason::Class2FrameFromNonAuthenticatedStation => {
            (6, "WIFI_REASON_CLASS2_FRAME_FROM_NONAUTH_STA")
        }
        DisconnectReason::Class3FrameFromNonAssociatedStation => {
            (7, "WIFI_REASON_CLASS3_FRAME_FROM_NONASSOC_STA")
        }
        DisconnectReason::AssociationLeave => (8, "WIFI_REASON_ASSOC_LEAVE"),
        DisconnectReason::AssociationNotAuthenticated => (9, "WIFI_REASON_ASSOC_NOT_AUTHED"),
        DisconnectReason::DisassociatedPowerCapabilityBad => {
            (10, "WIFI_REASON_DISASSOC_PWRCAP_BAD")
        }
        DisconnectReason::DisassociatedUnsupportedChannel => {
            (11, "WIFI_REASON_DISASSOC_SUPCHAN_BAD")
        }
        DisconnectReason::BssTransitionDisassociated => (12, "WIFI_REASON_BSS_TRANSITION_DISASSOC"),
        DisconnectReason::IeInvalid => (13, "WIFI_REASON_IE_INVALID"),
        DisconnectReason::MicFailure => (14, "WIFI_REASON_MIC_FAILURE"),
        DisconnectReason::FourWayHandshakeTimeout => (15, "WIFI_REASON_4WAY_HANDSHAKE_TIMEOUT"),
        DisconnectReason::GroupKeyUpdateTimeout => (16, "WIFI_REASON_GROUP_KEY_UPDATE_TIMEOUT"),
        DisconnectReason::IeIn4wayDiffers => (17, "WIFI_REASON_IE_IN_4WAY_DIFFERS"),
        DisconnectReason::GroupCipherInvalid => (18, "WIFI_REASON_GROUP_CIPHER_INVALID"),
        DisconnectReason::PairwiseCipherInvalid => (19, "WIFI_REASON_PAIRWISE_CIPHER_INVALID"),
        DisconnectReason::AkmpInvalid => (20, "WIFI_REASON_AKMP_INVALID"),
        DisconnectReason::UnsupportedRsnIeVersion => (21, "WIFI_REASON_UNSUPP_RSN_IE_VERSION"),
        DisconnectReason::InvalidRsnIeCapabilities => (22, "WIFI_REASON_INVALID_RSN_IE_CAP"),
        DisconnectReason::_802_1xAuthenticationFailed => (23, "WIFI_REASON_802_1X_AUTH_FAILED"),
        DisconnectReason::CipherSuiteRejected => (24, "WIFI_REASON_CIPHER_SUITE_REJECTED"),
        DisconnectReason::TdlsPeerUnreachable => (25, "WIFI_REASON_TDLS_PEER_UNREACHABLE"),
        DisconnectReason::TdlsUnspecified => (26, "WIFI_REASON_TDLS_UNSPECIFIED"),
        DisconnectReason::SspRequestedDisassociation => (27, "WIFI_REASON_SSP_REQUESTED_DISASSOC"),
        DisconnectReason::NoSspRoamingAgreement => (28, "WIFI_REASON_NO_SSP_ROAMING_AGREEMENT"),
        DisconnectReason::BadCipherOrAkm => (29, "WIFI_REASON_BAD_CIPHER_OR_AKM"),
        DisconnectReason::NotAuthorizedThisLocation => {
            (30, "WIFI_REASON_NOT_AUTHORIZED_THIS_LOCATION")
        }
        DisconnectReason::ServiceChangePercludesTs => {
            (31, "WIFI_REASON_SERVICE_CHANGE_PERCLUDES_TS")
        }
        DisconnectReason::UnspecifiedQos => (32, "WIFI_REASON_UNSPECIFIED_QOS"),
        DisconnectReason::NotEnoughBandwidth => (33, "WIFI_REASON_NOT_ENOUGH_BANDWIDTH"),
        DisconnectReason::MissingAcks => (34, "WIFI_REASON_MISSING_ACKS"),
        DisconnectReason::ExceededTxOp => (35, "WIFI_REASON_EXCEEDED_TXOP"),
        DisconnectReason::StationLeaving => (36, "WIFI_REASON_STA_LEAVING"),
        DisconnectReason::EndBlockAck => (37, "WIFI_REASON_END_BA"),
        DisconnectReason::UnknownBlockAck => (38, "WIFI_REASON_UNKNOWN_BA"),
        DisconnectReason::Timeout => (39, "WIFI_REASON_TIMEOUT"),
        DisconnectReason::PeerInitiated => (46, "WIFI_REASON_PEER_INITIATED"),
        DisconnectReason::AccessPointInitiatedDisassociation => (47, "WIFI_REASON_AP_INITIATED"),
        DisconnectReason::InvalidFtActionFrameCount => {
            (48, "WIFI_REASON_INVALID_FT_ACTION_FRAME_COUNT")
        }
        DisconnectReason::InvalidPmkid => (49, "WIFI_REASON_INVALID_PMKID"),
        DisconnectReason::InvalidMde => (50, "WIFI_REASON_INVALID_MDE"),
        DisconnectReason::InvalidFte => (51, "WIFI_REASON_INVALID_FTE"),
        DisconnectReason::TransmissionLinkEstablishmentFailed => {
            (67, "WIFI_REASON_TRANSMISSION_LINK_ESTABLISH_FAILED")
        }
        DisconnectReason::AlterativeChannelOccupied => {
            (68, "WIFI_REASON_ALTERATIVE_CHANNEL_OCCUPIED")
        }
        DisconnectReason::BeaconTimeout => (200, "WIFI_REASON_BEACON_TIMEOUT"),
        DisconnectReason::NoAccessPointFound => (201, "WIFI_REASON_NO_AP_FOUND"),
        DisconnectReason::AuthenticationFailed => (202, "WIFI_REASON_AUTH_FAIL"),
        DisconnectReason::AssociationFailed => (203, "WIFI_REASON_ASSOC_FAIL"),
        DisconnectReason::HandshakeTimeout => (204, "WIFI_REASON_HANDSHAKE_TIMEOUT"),
        DisconnectReason::ConnectionFailed => (205, "WIFI_REASON_CONNECTION_FAIL"),
        DisconnectReason::AccessPointTsfReset => (206, "WIFI_REASON_AP_TSF_RESET"),
        DisconnectReason::Roaming => (207, "WIFI_REASON_ROAMING"),
        DisconnectReason::AssociationComebackTimeTooLong => {
            (208, "WIFI_REASON_ASSOC_COMEBACK_TIME_TOO_LONG")
        }
        DisconnectReason::SaQueryTimeout => (209, "WIFI_REASON_SA_QUERY_TIMEOUT"),
        DisconnectReason::NoAccessPointFoundWithCompatibleSecurity => {
            (210, "WIFI_REASON_NO_AP_FOUND_W_COMPATIBLE_SECURITY")
        }
        DisconnectReason::NoAccessPointFoundInAuthmodeThreshold => {
            (211, "WIFI_REASON_NO_AP_FOUND_IN_AUTHMODE_THRESHOLD")
        }
        DisconnectReason::NoAccessPointFoundInRssiThreshold => {
            (212, "WIFI_REASON_NO_AP_FOUND_IN_RSSI_THRESHOLD")
        }
        _ => (0, "WIFI_REASON_UNKNOWN"),
    }
}

#[embassy_executor::task]
async fn wifi_task(mut controller: WifiController<'static>, ssid: String, rng: Rng) {
    let mut backoff = Backoff::new(2_000, 60_000);
    let mut attempt = 0;
    loop {
        attempt += 1;
        say(&Event::WifiConnecting {
            ssid: ssid.as_str().into(),
            attempt,
        });
        match controller.connect_async().await {
            Ok(_) => {
                backoff.reset();
                attempt = 0;
                if let Ok(rssi) = controller.rssi() {
                    RSSI.store(rssi, Ordering::Relaxed);
                }
                let reason = match controller.wait_for_disconnect_async().await {
                    Ok(info) => reason(info.reason).0,
                    Err(_) => 0,
                };
                RSSI.store(0, Ordering::Relaxed);
                say(&Event::WifiDisconnected { reason });
            }
            Err(e) => {
                let (reason, detail) = match e {
                    ConnectionError::Failed(info) => {
                        let (code, name) = reason(info.reason);
                        (code, String::from(name))
                    }
                    // esp-radio's Display: the variant's documentation, not a Debug name.
                    ConnectionError::WifiError(w) => (0, format!("{w}")),
                    other => (0, format!("{other}")),
                };
                say(&Event::WifiFailed {
                    reason,
                    detail: detail.into(),
                });
            }
        }
        let (attempt, delay_ms) = backoff.next(rng.random());
        say(&Event::Retry {
            stage: Stage::Wifi,
            attempt,
            delay_ms,
        });
        Timer::after_millis(u64::from(delay_ms)).await;
    }
}
